package lab.compose;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import io.helidon.health.HealthCheckResponse;
import io.helidon.json.JsonObject;
import lab.consul.ConsulClients;
import lab.consul.ConsulConnection;
import lab.consul.ConsulException;
import lab.consul.Query;
import lab.consul.access.ConsulDenials;
import lab.consul.discovery.Registrar;
import lab.consul.discovery.ServiceRegistration;
import lab.consul.discovery.TtlStatus;
import lab.launcher.Eventually;
import lab.runtime.ConsulAccessCheck;
import lab.testing.SecureConsulAgent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The policies of {@code compose/acl/*.hcl}, made into tokens by {@code compose/acl/tokens.sh}
 * (the real CLI), on a real agent with TLS and {@code default_policy = "deny"}: each service's
 * token does its service's job and nothing more, and an instance whose token lacks a right says
 * which, once, and shows it in its health.
 */
class AclPoliciesTest {

    private static final Path REPO = Path.of("").toAbsolutePath().getParent();
    private static final Query PASSING = Query.NONE.with("passing");

    @RegisterExtension
    static final SecureConsulAgent agent = SecureConsulAgent.perClass();

    private static Path tokens;

    @BeforeAll
    static void createTokens() throws IOException {
        tokens = Files.createTempDirectory("lab-tokens");
        String output = tokensSh("create", tokens.toString());
        for (String name : List.of("facade", "logging", "messages", "lab-operator")) {
            assertThat(output, containsString(name + ": policy from compose/acl/" + name + ".hcl"));
            assertThat(Files.getPosixFilePermissions(tokens.resolve(name + ".token")).toString(), is("[OWNER_READ, OWNER_WRITE]"));
            assertThat("no secret printed", output, not(containsString(Files.readString(tokens.resolve(name + ".token")).strip())));
        }
        agent.client().put("lab_settings", "{}");
        register(agent.client(), "logging-service", "logging-1");
    }

    @Test
    void theFacadeTokenRunsAFacadeAndCannotWriteSettingsRegisterAsLoggingOrDeregisterOthers() {
        try (ConsulConnection facade = client("facade")) {
            register(facade, "facade-service", "facade-1");
            facade.updateTtl("service:facade-1", "passing", "ok");
            assertThat(facade.text("lab_settings").orElseThrow(), is("{}"));
            assertThat("the instances it calls, all of them", facade.health("logging-service", PASSING).value().size(),
                       is(agent.client().health("logging-service", PASSING).value().size()));

            assertDenied(() -> facade.put("lab_settings", "{\"queue_name\": \"mine\"}"));
            assertDenied(() -> register(facade, "logging-service", "logging-impostor"));
            assertDenied(() -> facade.deregister("logging-1"));
            assertDenied(() -> facade.put("cluster_nodes", "{}"));
            assertThat("logging-1 is still there", agent.client().health("logging-service", Query.NONE)
                    .value().stream().anyMatch(entry -> entry.objectValue("Service").orElseThrow().stringValue("ID", "").equals("logging-1")), is(true));
            assertThat(agent.client().text("lab_settings").orElseThrow(), is("{}"));
        }
    }

    @Test
    void loggingWritesTheMembersStatusAndMessagesOnlyItselfAndTheOperatorOnlySeeds() {
        try (ConsulConnection logging = client("logging");
             ConsulConnection messages = client("messages");
             ConsulConnection operator = client("lab-operator")) {
            register(logging, "logging-service", "logging-2");
            logging.put("cluster_nodes", "{\"127.0.0.1:5701\": 1}");
            assertDenied(() -> logging.put("lab_settings", "{}"));
            assertDenied(() -> register(logging, "facade-service", "facade-impostor"));

            register(messages, "messages-service", "messages-1");
            assertThat(messages.text("lab_settings").orElseThrow(), is("{}"));
            assertDenied(() -> messages.put("cluster_nodes", "{}"));
            assertDenied(() -> messages.deregister("logging-1"));

            operator.put("lab_settings", "{}");
            assertDenied(() -> register(operator, "facade-service", "facade-operator"));
        }
    }

    @Test
    void anInstanceWhoseTokenLacksARightSaysWhichOnceAndItsHealthShowsIt() {
        List<String> warnings = new ArrayList<>();
        Handler capture = capture(warnings);
        // a facade's token used to run a logging instance
        try (ConsulConnection facade = client("facade");
             Registrar wrong = Registrar.create(facade, new ServiceRegistration(
                     "logging-service", "logging-wrong-token", "127.0.0.1", 9, Duration.ofSeconds(1), Duration.ofMinutes(1),
                     Map.of(), List.of("lab")), () -> TtlStatus.PASSING).start()) {
            String what = "registering and heartbeats of " + wrong.registration().id();
            Eventually.await(Duration.ofSeconds(10), () -> ConsulDenials.current().containsKey(what), "the denial recorded");
            HealthCheckResponse health = ConsulAccessCheck.create().call();
            assertThat(health.status(), is(HealthCheckResponse.Status.DOWN));
            assertThat(health.details(), hasKey(what));
            assertThat(String.valueOf(health.details().get(what)), containsString("service:write on \"logging-service\""));
            sleep(Duration.ofSeconds(2)); // six more heartbeats, all denied
            List<String> lines = warnings.stream().filter(line -> line.contains("logging-wrong-token")).toList();
            assertThat("one line, not one per heartbeat: " + lines, lines.size(), is(1));
            assertThat(lines.getFirst(), containsString("Consul denied " + what + ": this instance's token lacks service:write"
                                                                 + " on \"logging-service\""));
        } finally {
            Logger.getLogger(ConsulDenials.class.getName()).removeHandler(capture);
        }
    }

    @Test
    void rotatingATokenWritesANewSecretAndDeletesTheOldToken() throws IOException {
        Path file = tokens.resolve("messages.token");
        String before = Files.readString(file).strip();
        try (ConsulConnection messages = client("messages")) {
            assertThat(messages.text("lab_settings").orElseThrow(), is("{}"));
            String output = tokensSh("rotate", tokens.toString(), "messages");
            assertThat(output, containsString("old token"));
            String after = Files.readString(file).strip();
            assertThat(after, not(is(before)));
            assertThat("no secret printed", output, not(containsString(after)));
            assertThat("the running client took the new token", messages.text("lab_settings").orElseThrow(),
                       is("{}"));
        }
        try (ConsulConnection old = ConsulClients.create(agent.endpoint(Map.of("CONSUL_HTTP_TOKEN", before)))) {
            assertDenied(() -> old.kv("lab_settings"));
        }
    }

    private static ConsulConnection client(String policy) {
        return ConsulClients.create(agent.endpoint(Map.of("CONSUL_HTTP_TOKEN_FILE", tokens.resolve(policy + ".token").toString())));
    }

    private static void register(ConsulConnection client, String name, String id) {
        client.register(JsonObject.builder()
                                .set("ID", id)
                                .set("Name", name)
                                .set("Port", 9)
                                .set("Check", check -> check.set("TTL", "30s").set("Status", "passing"))
                                .build());
    }

    private static void assertDenied(Runnable call) {
        ConsulException denied = assertThrows(ConsulException.class, call::run);
        assertThat(denied.body(), denied.status(), is(403));
    }

    private static String tokensSh(String... args) {
        return agent.script(REPO.resolve("compose/acl/tokens.sh"), args);
    }

    private static Handler capture(List<String> lines) {
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                    synchronized (lines) {
                        lines.add(record.getMessage());
                    }
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger.getLogger(ConsulDenials.class.getName()).addHandler(handler);
        return handler;
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
