package lab.consul.discovery;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import lab.testing.ConsulAgent;
import lab.launcher.Eventually;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;

class RegistrarTest {

    @RegisterExtension
    static final ConsulAgent agent = ConsulAgent.perClass();

    @Test
    void registersPassingAndHeartbeatKeepsItPassingPastTheTtl() throws InterruptedException {
        try (Registrar registrar = Registrar.create(agent.client(), registration("keepalive", 2), () -> TtlStatus.PASSING).start()) {
            String id = registrar.registration().id();
            assertThat("passing right after registration", passing("keepalive"), containsString(id));
            Thread.sleep(Duration.ofSeconds(5));
            assertThat("still passing after 2.5 TTLs", passing("keepalive"), containsString(id));
            assertThat(agent.get("/v1/agent/service/" + id), containsString("\"version\""));
        }
    }

    @Test
    void deregistersOnClose() {
        Registrar registrar = Registrar.create(agent.client(), registration("closing", 5), () -> TtlStatus.PASSING).start();
        String id = registrar.registration().id();
        registrar.close();
        assertThat(agent.get("/v1/agent/services"), not(containsString(id)));
    }

    @Test
    void heartbeatReportsTheInstanceHealth() {
        try (Registrar registrar = Registrar.create(agent.client(), registration("sick", 1),
                                                    () -> TtlStatus.critical("hazelcast disconnected")).start()) {
            String id = registrar.registration().id();
            Eventually.await(Duration.ofSeconds(5), () -> !passing("sick").contains(id), "instance leaves ?passing");
            assertThat(agent.get("/v1/health/checks/sick"), containsString("hazelcast disconnected"));
        }
    }

    @Test
    void registersAgainWhenConsulForgotTheInstance() {
        try (Registrar registrar = Registrar.create(agent.client(), registration("forgotten", 2), () -> TtlStatus.PASSING).start()) {
            String id = registrar.registration().id();
            agent.put("/v1/agent/service/deregister/" + id, "");
            Eventually.await(Duration.ofSeconds(5), () -> passing("forgotten").contains(id), "instance is back and passing");
        }
    }

    @Test
    void steadyStateNeverLeavesPassing() throws InterruptedException {
        try (Registrar registrar = Registrar.create(agent.client(), registration("steady", 1), () -> TtlStatus.PASSING).start()) {
            String id = registrar.registration().id();
            long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            int polls = 0;
            while (System.nanoTime() < end) {
                assertThat("passing at poll " + polls, passing("steady"), containsString(id));
                polls++;
                Thread.sleep(25);
            }
        }
    }

    @Test
    void isBackAndPassingWithinOneTtlAfterConsulRestarts() {
        try (Registrar registrar = Registrar.create(agent.client(), registration("survivor", 3), () -> TtlStatus.PASSING).start()) {
            String id = registrar.registration().id();
            agent.restart();
            long back = System.nanoTime();
            Eventually.await(Duration.ofSeconds(10), () -> passing("survivor").contains(id), "registered again");
            assertThat(Duration.ofNanos(System.nanoTime() - back), org.hamcrest.Matchers.lessThan(Duration.ofSeconds(3)));
        }
    }

    @Test
    void registersOnceConsulAnswersWhenItWasGoneAtStart() {
        agent.stop();
        try (Registrar registrar = Registrar.create(agent.client(), registration("late", 3), () -> TtlStatus.PASSING).start()) {
            String id = registrar.registration().id();
            agent.restart();
            Eventually.await(Duration.ofSeconds(10), () -> passing("late").contains(id), "registered by the heartbeat");
        }
    }

    private static String passing(String name) {
        return agent.get("/v1/health/service/" + name + "?passing");
    }

    static ServiceRegistration registration(String name, int ttlSeconds) {
        return new ServiceRegistration(name, name + "-" + System.nanoTime(), "127.0.0.1", 9,
                                       Duration.ofSeconds(ttlSeconds), Duration.ofMinutes(1), Map.of("version", "test"), List.of("lab"));
    }
}
