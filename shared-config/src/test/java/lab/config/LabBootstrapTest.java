package lab.config;

import lab.testing.ConsulAgent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

class LabBootstrapTest {

    private static ConsulAgent agent;

    @BeforeAll
    static void startConsul() {
        agent = ConsulAgent.start();
    }

    @AfterAll
    static void stopConsul() {
        agent.close();
    }

    @Test
    void seedsTheDefaultsOnceAndNeverOverwrites() {
        LabBootstrap.create("seed-test", agent.endpoint());
        assertThat(agent.get("/v1/kv/lab_settings?raw"), is(LabBootstrap.defaultSettingsDocument()));

        agent.put("/v1/kv/lab_settings", "{\"queue_name\": \"operator-choice\"}");
        LabBootstrap second = LabBootstrap.create("seed-test", agent.endpoint());
        assertThat(agent.get("/v1/kv/lab_settings?raw"), containsString("operator-choice"));
        assertThat(LabSettings.create(second.config()).queueName(), is("operator-choice"));
    }

    @Test
    void portArgumentSetsTheServerPort() {
        LabBootstrap bootstrap = LabBootstrap.create("port-test", agent.endpoint(), "--port", "0");
        assertThat(bootstrap.config().get("server.port").asInt().get(), is(0));
    }
}
