package lab.runtime;

import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.client.config.ClientConnectionStrategyConfig;

/**
 * Turns the lab settings into a Hazelcast client: the cluster name and member addresses come from
 * {@code lab_settings}. The client starts without waiting for the cluster and reconnects in the
 * background, so a service comes up (and registers) even while Hazelcast is still starting.
 */
public final class HazelcastClients {

    private HazelcastClients() {
    }

    /**
     * The client configuration for the given settings; the client's statistics only with
     * {@code LAB_HAZELCAST_STATISTICS=on} (where a Management Center shows them, as in compose.yaml).
     *
     * @param settings     lab settings
     * @param instanceName name of this client, e.g. the Consul service id
     * @return client config
     */
    public static ClientConfig config(LabSettings settings, String instanceName) {
        return config(settings, instanceName, "on".equalsIgnoreCase(System.getenv("LAB_HAZELCAST_STATISTICS")));
    }

    static ClientConfig config(LabSettings settings, String instanceName, boolean statistics) {
        ClientConfig config = new ClientConfig();
        config.setClusterName(settings.clusterName());
        config.setInstanceName(instanceName);
        config.setProperty("hazelcast.phone.home.enabled", "false");
        // The client's metrics are statistics for Management Center, their only reader. They cost the
        // JVM's platform MBean server, built on the main thread at start (off: start -> registered
        // 0.05-0.29 s sooner in 5 pairs on 2 cores, docs/benchmarks.md), and a collection every 5 s.
        config.getMetricsConfig().setEnabled(statistics);
        config.getNetworkConfig().setAddresses(settings.hazelcastMembers());
        config.getConnectionStrategyConfig()
                .setAsyncStart(true)
                .setReconnectMode(ClientConnectionStrategyConfig.ReconnectMode.ASYNC)
                .getConnectionRetryConfig()
                .setInitialBackoffMillis(250)
                .setMaxBackoffMillis(2_000)
                .setClusterConnectTimeoutMillis(Long.MAX_VALUE);
        return config;
    }
}
