package lab.runtime;

import com.hazelcast.client.config.ClientConfig;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

class HazelcastClientsTest {

    @Test
    void clientSendsStatisticsOnlyWhenAskedTo() {
        // Management Center is their only reader; they cost the platform MBean server at start
        ClientConfig quiet = HazelcastClients.config(LabSettings.defaults(), "test-client", false);
        assertThat("client metrics", quiet.getMetricsConfig().isEnabled(), is(false));
        assertThat("connects in the background", quiet.getConnectionStrategyConfig().isAsyncStart(), is(true));

        ClientConfig shown = HazelcastClients.config(LabSettings.defaults(), "test-client", true);
        assertThat("LAB_HAZELCAST_STATISTICS=on", shown.getMetricsConfig().isEnabled(), is(true));
    }
}
