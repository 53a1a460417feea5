package lab.runtime;

import java.util.EventListener;
import java.util.concurrent.atomic.AtomicBoolean;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.config.ListenerConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.core.LifecycleListener;
import io.helidon.health.HealthCheck;
import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;

/**
 * A Hazelcast client that knows whether it is connected, and says so as a readiness health check,
 * so the heartbeat tells Consul the truth: an instance without its cluster leaves {@code ?passing}.
 */
public final class HazelcastConnection implements AutoCloseable, HealthCheck {

    private final HazelcastInstance client;
    private final AtomicBoolean connected = new AtomicBoolean();

    private HazelcastConnection(LabSettings settings, String instanceName, EventListener... listeners) {
        ClientConfig config = HazelcastClients.config(settings, instanceName);
        // Added to the config, not the client, so not even the first connection or membership event is missed.
        config.addListenerConfig(new ListenerConfig((LifecycleListener) this::onLifecycle));
        for (EventListener listener : listeners) {
            config.addListenerConfig(new ListenerConfig(listener));
        }
        this.client = HazelcastClient.newHazelcastClient(config);
    }

    private void onLifecycle(LifecycleEvent event) {
        switch (event.getState()) {
        case CLIENT_CONNECTED -> connected.set(true);
        case CLIENT_DISCONNECTED, SHUTTING_DOWN -> connected.set(false);
        default -> { }
        }
    }

    /**
     * Starts a client for the given settings; it connects in the background.
     *
     * @param settings     lab settings
     * @param instanceName name of this client, e.g. the Consul service id
     * @param listeners    Hazelcast listeners (membership, lifecycle, ...) to register before it starts
     * @return connection
     */
    public static HazelcastConnection connect(LabSettings settings, String instanceName, EventListener... listeners) {
        return new HazelcastConnection(settings, instanceName, listeners);
    }

    /**
     * The client.
     *
     * @return Hazelcast client
     */
    public HazelcastInstance client() {
        return client;
    }

    /**
     * Whether the client is connected to its cluster now.
     *
     * @return connected
     */
    public boolean connected() {
        return connected.get();
    }

    @Override
    public String name() {
        return "hazelcast";
    }

    @Override
    public HealthCheckType type() {
        return HealthCheckType.READINESS;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.builder()
                .status(connected())
                .detail("cluster", client.getConfig().getClusterName())
                .build();
    }

    @Override
    public void close() {
        client.shutdown();
    }
}
