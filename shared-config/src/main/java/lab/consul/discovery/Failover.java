package lab.consul.discovery;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.MeterProvider;

/**
 * Calls a random passing instance of a service and, when the attempt fails, another one: never
 * the same instance twice in one call, at most {@code maxAttempts} instances.
 */
public final class Failover {

    private static final System.Logger LOGGER = System.getLogger(Failover.class.getName());

    private static final AttributeKey<String> PEER_SERVICE = AttributeKey.stringKey("lab.peer.service");
    private static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("outcome");

    private final HealthyInstances instances;
    private final int maxAttempts;
    private final LongCounter failovers;
    private final Attributes retried;
    private final Attributes gaveUp;

    private Failover(HealthyInstances instances, int maxAttempts, Meter meter) {
        this.instances = instances;
        this.maxAttempts = maxAttempts;
        this.failovers = meter.counterBuilder("lab.failover.attempts").setUnit("{attempt}")
                .setDescription("Calls to a downstream service retried on another instance (retried), or that failed on"
                                        + " every instance tried (gave_up)")
                .build();
        this.retried = Attributes.of(PEER_SERVICE, instances.serviceName(), OUTCOME, "retried");
        this.gaveUp = Attributes.of(PEER_SERVICE, instances.serviceName(), OUTCOME, "gave_up");
    }

    /**
     * Failover over a live instance set.
     *
     * @param instances   passing instances
     * @param maxAttempts most instances tried per call
     * @return failover
     */
    public static Failover create(HealthyInstances instances, int maxAttempts) {
        return create(instances, maxAttempts, MeterProvider.noop().get("lab.failover"));
    }

    /**
     * Failover over a live instance set, counted ({@code lab.failover.attempts} by
     * {@code lab.peer.service} and {@code outcome}: {@code retried}, {@code gave_up}).
     *
     * @param instances   passing instances
     * @param maxAttempts most instances tried per call
     * @param meter       where to count
     * @return failover
     */
    public static Failover create(HealthyInstances instances, int maxAttempts, Meter meter) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
        return new Failover(instances, maxAttempts, meter);
    }

    /**
     * Runs {@code attempt} against instances until one returns.
     *
     * @param attempt one try against one instance; throwing means "try another instance"
     * @param <T>     result type
     * @return the first result
     * @throws UnavailableException when no instance answered
     */
    public <T> T call(Attempt<T> attempt) {
        Set<String> tried = new LinkedHashSet<>();
        List<String> reasons = new ArrayList<>();
        RuntimeException lastFailure = null;
        for (int resendCount = 0; resendCount < maxAttempts; resendCount++) {
            Optional<Instance> instance = instances.pick(tried);
            if (instance.isEmpty()) {
                break;
            }
            tried.add(instance.get().id());
            if (resendCount > 0) {
                failovers.add(1, retried);
            }
            try {
                return attempt.call(instance.get(), resendCount);
            } catch (RuntimeException e) {
                lastFailure = e;
                reasons.add(instance.get().id() + ": " + e.getClass().getSimpleName() + " " + e.getMessage());
                LOGGER.log(System.Logger.Level.DEBUG, "Attempt on " + instance.get().id() + " failed: " + e.getMessage());
            }
        }
        failovers.add(1, gaveUp);
        throw new UnavailableException(instances.serviceName(), tried, reasons, lastFailure);
    }

    /**
     * One try against one instance.
     *
     * @param <T> result type
     */
    @FunctionalInterface
    public interface Attempt<T> {
        /**
         * Calls the instance.
         *
         * @param instance    chosen instance
         * @param resendCount 0 for the first attempt, then 1, 2, ...
         * @return result
         */
        T call(Instance instance, int resendCount);
    }

    /**
     * No passing instance of a service answered.
     */
    public static final class UnavailableException extends RuntimeException {

        private final String serviceName;
        private final List<String> reasons;

        UnavailableException(String serviceName, Set<String> tried, List<String> reasons, RuntimeException lastFailure) {
            super(tried.isEmpty()
                          ? "no passing instance of " + serviceName
                          : "no instance of " + serviceName + " answered (tried " + tried + ")",
                  lastFailure);
            this.serviceName = serviceName;
            this.reasons = List.copyOf(reasons);
        }

        /**
         * Why each instance tried failed, one {@code "instance-id: reason"} each, for the log (not for
         * clients: the reasons are the downstream's and the network's).
         *
         * @return reasons in the order tried
         */
        public List<String> reasons() {
            return reasons;
        }

        /**
         * The service that could not be reached.
         *
         * @return Consul service name
         */
        public String serviceName() {
            return serviceName;
        }
    }
}
