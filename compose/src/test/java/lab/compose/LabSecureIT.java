package lab.compose;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.json.JsonObject;
import lab.consul.ConsulClients;
import lab.consul.ConsulConnection;
import lab.consul.Query;
import lab.launcher.Eventually;
import lab.testing.FreePorts;
import lab.testing.SecureConsulAgent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import static lab.compose.LabHttp.FORM;
import static lab.compose.LabHttp.read;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/**
 * The secure lab, as {@code local.sh up --secure} runs it: one Consul agent that speaks HTTPS only
 * and asks for client certificates, ACLs on with {@code default_policy = "deny"}, each service
 * with its own least-privilege token from {@code compose/acl} in a token file, lab_settings seeded
 * by the operator's token; real Hazelcast, real processes, spans to a real OTLP receiver.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LabSecureIT {

    @RegisterExtension
    @Order(1)
    static final SecureConsulAgent consul = SecureConsulAgent.perClass();
    @RegisterExtension
    @Order(2)
    static final LabProcesses lab = new LabProcesses("secure");

    private static final Duration SLOW = Duration.ofSeconds(60);
    // every secret this lab has seen, including rotated tokens
    private static final Set<String> SECRETS = ConcurrentHashMap.newKeySet();
    private static Path tokens;
    private static OtlpReceiver receiver;
    private static ConsulConnection operator;

    @BeforeAll
    static void startTheSecureLab() throws IOException {
        tokens = Files.createTempDirectory("lab-tokens");
        tokensSh("create", tokens.toString());
        remember();
        SECRETS.add(consul.masterToken());
        for (String key : List.of("client-key", "other-client-key")) {
            // the body of a PEM key, line by line: no log may carry any of it
            Files.readAllLines(consul.file(key)).stream().filter(line -> !line.startsWith("-----") && line.length() > 16)
                    .forEach(SECRETS::add);
        }
        receiver = OtlpReceiver.start();
        List<String> members = lab.startHazelcast("secure-cluster", 3);
        operator = ConsulClients.create(consul.endpoint(Map.of("CONSUL_HTTP_TOKEN_FILE", token("lab-operator").toString())));
        operator.put("lab_settings", LabProcesses.settings("secure-cluster", members, "secure-queue", "secure-map"));
        for (String name : List.of("logging-1", "logging-2", "messages-1", "facade-1")) {
            String service = name.substring(0, name.indexOf('-'));
            lab.startService(service, name, consul.environment().get("CONSUL_HTTP_ADDR"), environment(service));
        }
        awaitPassing(List.of("logging-1", "logging-2", "messages-1", "facade-1"));
    }

    @AfterAll
    static void closeClients() {
        if (operator != null) {
            operator.close();
        }
        if (receiver != null) {
            receiver.close();
        }
    }

    @Test
    @Order(1)
    void theWholeLabWorksOverTlsWithATokenPerService() {
        URI facade = lab.awaitRegistration("facade-1").uri();
        for (int i = 0; i < 10; i++) {
            HttpResponse<String> posted = LabHttp.post(facade.resolve("/facade"), FORM, "msg=secure-" + i);
            assertThat(posted.body(), posted.statusCode(), is(201));
        }
        Eventually.await(SLOW, () -> LabHttp.get(facade.resolve("/facade?limit=100")).body().contains("secure-9"),
                         "GET /facade lists what was posted");
        Eventually.await(SLOW, () -> operator.kv("cluster_nodes").isPresent(),
                         "logging's token wrote the members' status");
        JsonNode settings = read(LabHttp.get(lab.awaitRegistration("logging-1").uri().resolve("/settings")).body());
        assertThat(settings.toString(), settings.path("queue_name").asText(), is("secure-queue"));
    }

    @Test
    @Order(2)
    void aFacadeWithATokenThatMayNotRegisterItSaysWhichRightOnceAndItsHealthShowsIt() {
        int port = FreePorts.next();
        Map<String, String> environment = environment("facade");
        environment.put("CONSUL_HTTP_TOKEN_FILE", token("messages").toString());
        lab.startService("facade", "facade-wrong-token", consul.environment().get("CONSUL_HTTP_ADDR"), environment, port);
        URI ready = URI.create("http://127.0.0.1:" + port + "/observe/health/ready");
        Eventually.await(SLOW, () -> {
            try {
                HttpResponse<String> health = LabHttp.get(ready);
                return health.statusCode() == 503 && health.body().contains("consul-access") ? Boolean.TRUE : null;
            } catch (RuntimeException e) {
                return null;
            }
        }, () -> "the facade with the messages token reports consul-access DOWN" + lab.logTail("facade-wrong-token"));
        assertThat(LabHttp.get(ready).body(), containsString("service:write on \\\"facade-service\\\""));
        sleep(Duration.ofSeconds(3)); // heartbeats go on (and are denied) every TTL/3
        List<String> denials = lab.log("facade-wrong-token").lines().filter(line -> line.contains("Consul denied")).toList();
        assertThat("one line, naming the right: " + denials, denials.size(), is(1));
        assertThat(denials.getFirst(), containsString("this instance's token lacks service:write on \"facade-service\""));
        lab.kill("facade-wrong-token");
    }

    @Test
    @Order(3)
    void aRotatedTokenFileIsTakenWithoutARestart() {
        String output = tokensSh("rotate", tokens.toString(), "facade");
        remember();
        assertThat(output, containsString("old token"));
        // The old token is gone: heartbeats (every TTL/3) and watches go on only with the new one.
        sleep(Duration.ofSeconds(6));
        awaitPassing(List.of("facade-1"));
        URI facade = lab.awaitRegistration("facade-1").uri();
        HttpResponse<String> posted = LabHttp.post(facade.resolve("/facade"), FORM, "msg=after-rotation");
        assertThat(posted.body(), posted.statusCode(), is(201));
        assertThat(lab.log("facade-1"), containsString("CONSUL_HTTP_TOKEN_FILE " + token("facade") + " changed"));
        assertThat(lab.log("facade-1"), is(not(containsString("Consul denied"))));
    }

    @Test
    @Order(4)
    void noTokenKeyOrCertificateContentInAnyLogSettingsErrorBodyOrSpan() throws IOException {
        URI facade = lab.awaitRegistration("facade-1").uri();
        List<String> outputs = new ArrayList<>();
        outputs.add(LabHttp.post(facade.resolve("/facade"), "application/json", "{not json").body());
        outputs.add(LabHttp.get(facade.resolve("/facade?limit=0")).body());
        for (String name : List.of("logging-1", "logging-2", "messages-1", "facade-1")) {
            outputs.add(LabHttp.get(lab.awaitRegistration(name).uri().resolve("/settings")).body());
            outputs.add(LabHttp.get(lab.awaitRegistration(name).uri().resolve("/observe/health")).body());
        }
        try (Stream<Path> logs = Files.walk(LabProcesses.REPO.resolve("compose/target/lab-logs/secure"))) {
            for (Path log : logs.filter(Files::isRegularFile).toList()) {
                outputs.add(log + ":\n" + Files.readString(log, StandardCharsets.UTF_8));
            }
        }
        Eventually.await(SLOW, () -> !receiver.spans().isEmpty(), "spans exported");
        receiver.spans().forEach(span -> outputs.add(span.toString()));
        List<String> leaks = new ArrayList<>();
        for (String output : outputs) {
            for (String secret : SECRETS) {
                if (output.contains(secret)) {
                    leaks.add(output.lines().findFirst().orElse("") + " carries a secret of " + secret.length() + " characters");
                }
            }
        }
        assertThat(leaks, is(empty()));
        assertThat("the outputs are real: " + outputs.size(), outputs.size() > 10, is(true));
    }

    private static Map<String, String> environment(String service) {
        Map<String, String> environment = new LinkedHashMap<>(consul.environment());
        environment.remove("CONSUL_HTTP_ADDR");
        environment.put("CONSUL_HTTP_TOKEN_FILE", token(service).toString());
        environment.put("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint());
        environment.put("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
        environment.put("OTEL_BSP_SCHEDULE_DELAY", "100");
        return environment;
    }

    private static Path token(String policy) {
        return tokens.resolve(policy + ".token");
    }

    private static void remember() {
        try (Stream<Path> files = Files.list(tokens)) {
            for (Path file : files.toList()) {
                SECRETS.add(Files.readString(file).strip());
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void awaitPassing(List<String> names) {
        ConsulConnection client = consul.client();
        Eventually.await(Duration.ofSeconds(180), () -> {
            Set<String> passing = new java.util.HashSet<>();
            for (String service : List.of("facade-service", "logging-service", "messages-service")) {
                for (JsonObject entry : client.health(service, Query.NONE.with("passing")).value()) {
                    passing.add(entry.objectValue("Service").orElseThrow().stringValue("ID", ""));
                }
            }
            return names.stream().allMatch(name -> lab.registration(name).map(r -> passing.contains(r.id())).orElse(false))
                    ? Boolean.TRUE : null;
        }, () -> names + " passing in Consul" + lab.allLogTails());
    }

    private static String tokensSh(String... args) {
        return consul.script(LabProcesses.REPO.resolve("compose/acl/tokens.sh"), args);
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
