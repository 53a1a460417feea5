package lab.runtime;

import com.hazelcast.client.config.ClientConfig;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

class HazelcastClientsTest {

    @Test
    void clientSendsNoStatisticsAndStartsNoJmx() {
        // Management Center, which the lab does not run, is their only reader; they cost the MBean server at start
        ClientConfig config = HazelcastClients.config(LabSettings.defaults(), "test-client");
        assertThat("client metrics", config.getMetricsConfig().isEnabled(), is(false));
        assertThat("connects in the background", config.getConnectionStrategyConfig().isAsyncStart(), is(true));
    }
}
