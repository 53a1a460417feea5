package lab.consul.access;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import lab.consul.ConsulException;
import lab.consul.ConsulClients;
import lab.consul.ConsulConnection;
import lab.consul.ConsulEndpoint;
import lab.consul.ConsulErrors;
import lab.launcher.Eventually;
import lab.runtime.LabBootstrap;
import lab.testing.SecureConsulAgent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * The lab's Consul client against a real agent that speaks HTTPS only, asks for client
 * certificates and denies what no token allows, configured with the {@code consul} CLI's variables.
 */
class ConsulTlsTest {

    @RegisterExtension
    static final SecureConsulAgent agent = SecureConsulAgent.perClass();

    @Test
    void speaksTlsWithAClientCertificateNamedAsTheCliNamesIt() {
        ConsulEndpoint endpoint = agent.endpoint(Map.of("CONSUL_HTTP_TOKEN", agent.masterToken()));
        assertThat(endpoint.uri().getScheme(), is("https"));
        try (ConsulConnection client = ConsulClients.create(endpoint)) {
            client.put("tls-check", "over TLS");
            assertThat(client.text("tls-check").orElseThrow(), is("over TLS"));
        }
        // A bare host:port with CONSUL_HTTP_SSL=true, and the name the agent's certificate carries.
        String hostPort = endpoint.uri().getHost() + ":" + endpoint.uri().getPort();
        try (ConsulConnection client = ConsulClients.create(agent.endpoint(Map.of(
                "CONSUL_HTTP_ADDR", hostPort, "CONSUL_HTTP_SSL", "true", "CONSUL_TLS_SERVER_NAME", "server.dc1.consul",
                "CONSUL_HTTP_TOKEN", agent.masterToken())))) {
            assertThat(client.text("tls-check").orElseThrow(), is("over TLS"));
        }
    }

    @Test
    void theServerNameMustBeOneTheAgentsCertificateCarries() {
        // The agent's certificate: server.dc1.consul, localhost, *.agents.lab.test, 127.0.0.1.
        for (String carried : List.of("server.dc1.consul", "LOCALHOST", "a.agents.lab.test", "127.0.0.1")) {
            try (ConsulConnection client = ConsulClients.create(agent.endpoint(Map.of(
                    "CONSUL_TLS_SERVER_NAME", carried, "CONSUL_HTTP_TOKEN", agent.masterToken())))) {
                assertThat(carried, client.leader().isEmpty(), is(false));
            }
        }
        for (String other : List.of("consul.example.org", "a.b.agents.lab.test", "agents.lab.test", "127.0.0.2", "::1")) {
            assertThat(other, failure(Map.of("CONSUL_TLS_SERVER_NAME", other)),
                       containsString("set CONSUL_TLS_SERVER_NAME to a name it carries"));
        }
        // CONSUL_HTTP_SSL_VERIFY=false checks no name either
        try (ConsulConnection client = ConsulClients.create(agent.endpoint(Map.of(
                "CONSUL_TLS_SERVER_NAME", "consul.example.org", "CONSUL_HTTP_SSL_VERIFY", "false",
                "CONSUL_HTTP_TOKEN", agent.masterToken())))) {
            assertThat(client.leader().isEmpty(), is(false));
        }
    }

    @Test
    void theJdkChecksTheAddresssHostUnlessTheServerNameIsSetOrNothingIsVerified() {
        // The agent's certificate carries every address the tests reach it by, so this is checked on the settings.
        Map<String, String> none = Map.of();
        assertThat(ConsulTls.create(none).clientTls().prototype().endpointIdentificationAlgorithm(), is("HTTPS"));
        assertThat(ConsulTls.create(Map.of("CONSUL_TLS_SERVER_NAME", "server.dc1.consul")).clientTls().prototype()
                           .endpointIdentificationAlgorithm(), is("NONE"));
        assertThat(ConsulTls.create(Map.of("CONSUL_HTTP_SSL_VERIFY", "false")).clientTls().prototype()
                           .endpointIdentificationAlgorithm(), is("NONE"));
    }

    @Test
    void aKeyInPkcs8FormWorksToo(@TempDir Path dir) throws Exception {
        // consul writes SEC 1 keys ("EC PRIVATE KEY"); other tools write PKCS#8 ("PRIVATE KEY").
        PrivateKey key = Pem.privateKey(agent.file("client-key"), "CONSUL_CLIENT_KEY");
        Path pkcs8 = dir.resolve("client-key-pkcs8.pem");
        Files.writeString(pkcs8, "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        try (ConsulConnection client = ConsulClients.create(agent.endpoint(Map.of(
                "CONSUL_CLIENT_KEY", pkcs8.toString(), "CONSUL_HTTP_TOKEN", agent.masterToken())))) {
            assertThat(client.leader().isEmpty(), is(false));
        }
    }

    @Test
    void aCaThatDidNotSignTheAgentsCertificateFailsWithAClearMessage() {
        assertThat(failure(Map.of("CONSUL_CACERT", agent.file("other-ca").toString())),
                   containsString("not signed by a CA this instance trusts (CONSUL_CACERT)"));
        assertThat(failure(Map.of("CONSUL_TLS_SERVER_NAME", "consul.example.org")),
                   containsString("set CONSUL_TLS_SERVER_NAME to a name it carries"));
        // CONSUL_HTTP_SSL_VERIFY=false takes any certificate, as the CLI does
        try (ConsulConnection client = ConsulClients.create(agent.endpoint(Map.of(
                "CONSUL_CACERT", agent.file("other-ca").toString(), "CONSUL_HTTP_SSL_VERIFY", "false")))) {
            assertThat(client.leader().isEmpty(), is(false));
        }
    }

    @Test
    void aClientCertificateTheAgentDoesNotTrustOrNoneIsRefusedWithAClearMessage() {
        String refused = "refused this client's certificate (CONSUL_CLIENT_CERT and CONSUL_CLIENT_KEY";
        assertThat(failure(Map.of("CONSUL_CLIENT_CERT", agent.file("other-client-cert").toString(),
                                  "CONSUL_CLIENT_KEY", agent.file("other-client-key").toString())),
                   containsString(refused));
        Map<String, String> none = new HashMap<>();
        none.put("CONSUL_CLIENT_CERT", null);
        none.put("CONSUL_CLIENT_KEY", null);
        assertThat(failure(none), containsString(refused));
        // a file that is not what its variable says: named, its content not shown
        IllegalArgumentException notPem = assertThrows(IllegalArgumentException.class, () -> ConsulClients.create(
                agent.endpoint(Map.of("CONSUL_CACERT", agent.file("client-key").toString()))));
        assertThat(notPem.getMessage(), containsString("CONSUL_CACERT " + agent.file("client-key")));
        assertThat(notPem.getMessage(), not(containsString("PRIVATE")));
    }

    @Test
    void atStartAWrongCaFailsFastWhenAskedAndIsOtherwiseRetriedWithBackOffNeverHanging() {
        ConsulEndpoint wrongCa = agent.endpoint(Map.of("CONSUL_CACERT", agent.file("other-ca").toString()));
        IllegalStateException failed = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThrows(
                IllegalStateException.class,
                () -> LabBootstrap.builder().serviceName("tls-test").endpoint(wrongCa).failFast(true).build()));
        assertThat(failed.getMessage(), containsString("not usable (fail-fast is on): TLS: the agent's certificate is not"
                                                               + " signed by a CA this instance trusts (CONSUL_CACERT)"));

        List<String> lines = new ArrayList<>();
        Handler capture = capture(LabBootstrap.class, lines);
        Thread waiting = Thread.ofVirtual().start(() -> {
            try {
                LabBootstrap.builder().serviceName("tls-test").endpoint(wrongCa).build();
            } catch (IllegalStateException e) {
                // interrupted: expected
            }
        });
        try {
            Eventually.await(Duration.ofSeconds(20), () -> lines.size() >= 2, "two attempts, each logged");
            assertThat(lines.getFirst(), containsString("Waiting for Consul at " + wrongCa.uri()));
            assertThat(lines.getFirst(), containsString("(CONSUL_CACERT)"));
        } finally {
            waiting.interrupt();
            Logger.getLogger(LabBootstrap.class.getName()).removeHandler(capture);
        }
    }

    @Test
    void aRotatedTokenFileIsUsedFromTheNextRequestOnWithoutARestart() throws Exception {
        agent.cli("acl", "policy", "create", "-name", "reads-rotation", "-rules", "key \"rotation\" { policy = \"read\" }");
        agent.client().put("rotation", "readable");
        String[] first = token("reads-rotation");
        String[] second = token("reads-rotation");
        Path file = Files.createTempFile("consul", ".token");
        Files.writeString(file, first[1] + "\n");
        // the file wins over CONSUL_HTTP_TOKEN, as in the CLI
        ConsulEndpoint endpoint = agent.endpoint(Map.of("CONSUL_HTTP_TOKEN_FILE", file.toString(),
                                                        "CONSUL_HTTP_TOKEN", "not-this-one"));
        assertThat(endpoint.toString(), not(containsString(first[1])));
        try (ConsulConnection client = ConsulClients.create(endpoint)) {
            assertThat(client.text("rotation").orElseThrow(), is("readable"));
            agent.cli("acl", "token", "delete", "-id", first[0]);
            ConsulException denied = assertThrows(ConsulException.class, () -> client.kv("rotation"));
            assertThat(denied.status(), is(403));

            Path next = Files.createTempFile(file.getParent(), "consul", ".next");
            Files.writeString(next, second[1]);
            Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            assertThat("the same client, the new token", client.text("rotation").orElseThrow(),
                       is("readable"));
        }
    }

    // {accessor, secret} of a new token with one policy
    private static String[] token(String policy) {
        String json = agent.cli("acl", "token", "create", "-policy-name", policy, "-format", "json");
        return new String[] {field(json, "AccessorID"), field(json, "SecretID")};
    }

    private static String field(String json, String name) {
        int at = json.indexOf('"', json.indexOf(':', json.indexOf("\"" + name + "\"")) + 1);
        return json.substring(at + 1, json.indexOf('"', at + 1));
    }

    private static String failure(Map<String, String> changes) {
        Map<String, String> all = new HashMap<>(changes);
        all.put("CONSUL_HTTP_TOKEN", agent.masterToken());
        ConsulEndpoint endpoint = agent.endpoint(all);
        try (ConsulConnection client = ConsulClients.create(endpoint)) {
            RuntimeException failed = assertThrows(RuntimeException.class, () -> client.kv("tls-check"));
            return ConsulErrors.describe(failed, endpoint);
        }
    }

    private static Handler capture(Class<?> source, List<String> lines) {
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                synchronized (lines) {
                    lines.add(record.getMessage());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger.getLogger(source.getName()).addHandler(handler);
        return handler;
    }
}
