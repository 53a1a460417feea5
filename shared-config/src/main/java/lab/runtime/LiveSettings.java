package lab.runtime;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import io.helidon.config.Config;
import io.helidon.health.HealthCheck;
import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;
import lab.consul.config.ConsulConfigSource;

/**
 * The lab settings as they are now: replaced whenever {@code lab_settings} changes in Consul, kept
 * when a change is malformed (the problem is reported in health and {@code GET /settings}).
 * <p>
 * The HTTP paths ({@code api-endpoints}) are the ones every instance started with, whatever
 * Consul says later: a server binds its path once, so a caller that followed a change would get
 * 404s. A changed {@code api-endpoints} is reported as a problem until the instance restarts; the
 * rest of the change applies.
 */
public final class LiveSettings implements HealthCheck {

    private static final System.Logger LOGGER = System.getLogger(LiveSettings.class.getName());

    private final ConsulConfigSource source;
    private final AtomicReference<LabSettings> current;
    private final List<Consumer<LabSettings>> listeners = new CopyOnWriteArrayList<>();
    private volatile Optional<String> invalid = Optional.empty();
    private volatile Optional<String> pinned = Optional.empty();

    private LiveSettings(Config config, ConsulConfigSource source) {
        this.source = source;
        this.current = new AtomicReference<>(LabSettings.create(config));
        config.onChange(this::changed);
    }

    /**
     * Live settings over a service's config.
     *
     * @param config root config that includes {@code source}
     * @param source the Consul source of {@code lab_settings}
     * @return live settings
     */
    public static LiveSettings create(Config config, ConsulConfigSource source) {
        return new LiveSettings(config, source);
    }

    /**
     * The settings now.
     *
     * @return current settings
     */
    public LabSettings current() {
        return current.get();
    }

    /**
     * Calls {@code listener} with the new settings after every change.
     *
     * @param listener change listener
     */
    public void onChange(Consumer<LabSettings> listener) {
        listeners.add(listener);
    }

    /**
     * Consul's modify index of the settings in use.
     *
     * @return index, 0 when KV has no {@code lab_settings}
     */
    public long consulIndex() {
        return source.status().index();
    }

    /**
     * Why the latest {@code lab_settings} in Consul is not in use, if it is not.
     *
     * @return the problem, empty when the latest value is in use
     */
    public Optional<String> problem() {
        return source.status().problem().or(() -> invalid).or(() -> pinned);
    }

    @Override
    public String name() {
        return "lab-settings";
    }

    @Override
    public HealthCheckType type() {
        return HealthCheckType.READINESS;
    }

    // A bad document is the operator's to fix; the instance still works on the last good settings, so it stays UP.
    @Override
    public HealthCheckResponse call() {
        HealthCheckResponse.Builder response = HealthCheckResponse.builder()
                .status(HealthCheckResponse.Status.UP)
                .detail("consul_index", consulIndex());
        problem().ifPresent(problem -> response.detail("problem", problem + "; using the last good settings"));
        return response.build();
    }

    private void changed(Config config) {
        LabSettings next;
        try {
            next = LabSettings.create(config);
            invalid = Optional.empty();
        } catch (RuntimeException e) {
            invalid = Optional.of("lab_settings has a value of the wrong type: " + e.getMessage());
            LOGGER.log(System.Logger.Level.WARNING, invalid.get() + "; keeping the last good settings");
            return;
        }
        LabSettings.ApiEndpoints inUse = current.get().endpoints();
        pinned = next.endpoints().equals(inUse)
                ? Optional.empty()
                : Optional.of("api-endpoints changed to " + next.endpoints() + " in Consul; this instance keeps "
                                      + inUse + " until it restarts");
        pinned.ifPresent(problem -> LOGGER.log(System.Logger.Level.WARNING, problem));
        LabSettings applied = next.withEndpoints(inUse);
        LabSettings previous = current.getAndSet(applied);
        if (!applied.equals(previous)) {
            LOGGER.log(System.Logger.Level.INFO, "lab_settings changed (index " + consulIndex() + "): " + applied);
            listeners.forEach(listener -> listener.accept(applied));
        }
    }
}
