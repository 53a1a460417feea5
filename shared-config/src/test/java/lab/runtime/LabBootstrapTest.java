package lab.runtime;

import lab.consul.ConsulEndpoint;
import lab.testing.ConsulAgent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

class LabBootstrapTest {

    @RegisterExtension
    static final ConsulAgent agent = ConsulAgent.perClass();

    @Test
    void seedsTheDefaultsOnceAndNeverOverwrites() {
        LabBootstrap.builder().serviceName("seed-test").endpoint(agent.endpoint()).build();
        assertThat(agent.get("/v1/kv/lab_settings?raw"), is(LabBootstrap.defaultSettingsDocument()));

        agent.put("/v1/kv/lab_settings", "{\"queue_name\": \"operator-choice\"}");
        LabBootstrap second = LabBootstrap.builder().serviceName("seed-test").endpoint(agent.endpoint()).build();
        assertThat(agent.get("/v1/kv/lab_settings?raw"), containsString("operator-choice"));
        assertThat(LabSettings.create(second.config()).queueName(), is("operator-choice"));
    }

    @Test
    void waitsForConsulThatComesUpLate() throws Exception {
        try (ConsulAgent late = ConsulAgent.start()) {
            late.stop();
            java.util.concurrent.CompletableFuture<LabBootstrap> bootstrap = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> LabBootstrap.builder().serviceName("late-test").endpoint(late.endpoint()).build());
            Thread.sleep(1500);
            assertThat("still waiting while Consul is down", bootstrap.isDone(), is(false));
            late.restart();
            LabBootstrap ready = bootstrap.get(20, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(LabSettings.create(ready.config()), is(LabSettings.defaults()));
        }
    }

    @Test
    void failFastFailsClearlyWhenConsulIsDown() {
        ConsulEndpoint nowhere = ConsulEndpoint.local(lab.testing.FreePorts.next());
        IllegalStateException failure = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalStateException.class,
                () -> LabBootstrap.builder().serviceName("fail-fast-test").endpoint(nowhere).failFast(true).build());
        assertThat(failure.getMessage(), containsString("fail-fast"));
        assertThat(failure.getMessage(), containsString(nowhere.uri().toString()));
    }

    @Test
    void portArgumentSetsTheServerPort() {
        LabBootstrap bootstrap = LabBootstrap.builder().serviceName("port-test").endpoint(agent.endpoint())
                .arguments("--port", "0").build();
        assertThat(bootstrap.config().get("server.port").asInt().get(), is(0));
    }
}
