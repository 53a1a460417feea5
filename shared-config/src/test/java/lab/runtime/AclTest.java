package lab.runtime;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

import io.helidon.webserver.WebServer;
import lab.consul.ConsulEndpoint;
import lab.consul.discovery.HealthyInstances;
import lab.consul.discovery.Registrar;
import lab.consul.discovery.ServiceRegistration;
import lab.consul.discovery.TtlStatus;
import lab.testing.ConsulAgent;
import lab.launcher.Eventually;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/**
 * Against an agent with ACLs on and {@code default_policy = "deny"}: everything works with the
 * token, fails clearly without it, and the token is in no log line, message or toString.
 */
class AclTest {

    private static final String TOKEN = UUID.randomUUID().toString();
    private static final List<String> LOGGED = new CopyOnWriteArrayList<>();
    private static final Handler CAPTURE = new Handler() {
        private final SimpleFormatter formatter = new SimpleFormatter();

        @Override
        public void publish(LogRecord record) {
            LOGGED.add(formatter.format(record));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @RegisterExtension
    static final ConsulAgent agent = ConsulAgent.perClassWithAcl(TOKEN);

    @BeforeAll
    static void captureEveryLog() {
        CAPTURE.setLevel(Level.ALL);
        for (String name : List.of("", "lab", "io.helidon")) {
            Logger.getLogger(name).setLevel(Level.ALL);
        }
        Logger.getLogger("").addHandler(CAPTURE);
    }

    @AfterAll
    static void restoreLogLevels() {
        Logger.getLogger("").removeHandler(CAPTURE);
        for (String name : List.of("", "lab", "io.helidon")) {
            Logger.getLogger(name).setLevel(null);
        }
        Logger.getLogger("").setLevel(Level.INFO);
    }

    @Test
    void everythingWorksWithTheTokenAndNothingPrintsIt() {
        ConsulEndpoint endpoint = agent.endpoint();
        assertThat(endpoint.toString(), not(containsString(TOKEN)));

        LabBootstrap lab = LabBootstrap.builder().serviceName("acl-service").endpoint(endpoint).failFast(true).build();
        assertThat(agent.get("/v1/kv/lab_settings?raw"), containsString("distributed-consul-cluster"));
        WebServer server = WebServer.builder().port(0).routing(routing -> routing.addFeature(lab.registration()))
                .build().start();
        try (HealthyInstances instances = lab.discover("acl-service")) {
            Eventually.await(Duration.ofSeconds(10), () -> instances.all().size() == 1, "registered and discovered");
            agent.put("/v1/kv/lab_settings", "{\"queue_name\": \"with-token\"}");
            Eventually.await(Duration.ofSeconds(10), () -> "with-token".equals(lab.settings().current().queueName()),
                             "config watch works with the token");
            assertThat(instances.all().toString(), not(containsString(TOKEN)));
        } finally {
            server.stop();
        }
        assertThat("log lines with the token: " + LOGGED.stream().filter(line -> line.contains(TOKEN)).toList(),
                   LOGGED.stream().noneMatch(line -> line.contains(TOKEN)), is(true));
    }

    @Test
    void withoutTheTokenStartUpFailsClearly() {
        ConsulEndpoint noToken = ConsulEndpoint.local(agent.httpPort());
        IllegalStateException failure = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalStateException.class,
                () -> LabBootstrap.builder().serviceName("acl-service").endpoint(noToken).failFast(true).build());
        assertThat(failure.getMessage(), containsString("403"));
    }

    @Test
    void registersAgainWhenConsulForgotTheInstanceAlsoWithAclsOn() {
        // With ACLs on, Consul 1.8 answers the heartbeat of a check it does not know "Unknown check", not
        // "does not have associated TTL": both must lead to registering again.
        ServiceRegistration registration = new ServiceRegistration("acl-forgotten", "acl-forgotten-1", "127.0.0.1", 9,
                                                                   Duration.ofSeconds(1), Duration.ofMinutes(1),
                                                                   java.util.Map.of(), List.of("lab"));
        try (Registrar registrar = Registrar.create(agent.client(), registration, () -> TtlStatus.PASSING).start()) {
            agent.put("/v1/agent/service/deregister/acl-forgotten-1", "");
            Eventually.await(Duration.ofSeconds(5), () -> agent.get("/v1/health/service/acl-forgotten?passing")
                    .contains("acl-forgotten-1"), "instance is back and passing");
            Eventually.await(Duration.ofSeconds(5), () -> registrar.registrations() == 2, "registered twice");
        }
    }

    @Test
    void aWrongTokenIsNotEchoed() {
        String wrong = UUID.randomUUID().toString();
        IllegalStateException failure = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalStateException.class,
                () -> LabBootstrap.builder().serviceName("acl-service")
                        .endpoint(ConsulEndpoint.local(agent.httpPort()).withToken(wrong)).failFast(true).build());
        assertThat(failure.getMessage(), not(containsString(wrong)));
        assertThat(LOGGED.stream().noneMatch(line -> line.contains(wrong)), is(true));
    }

}
