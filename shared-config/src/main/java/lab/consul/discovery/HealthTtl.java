package lab.consul.discovery;

import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import io.helidon.health.HealthCheck;
import io.helidon.health.HealthCheckResponse;

/**
 * The TTL status the heartbeat reports, from the instance's Helidon health checks: passing while
 * all are UP, else a warning (out of {@code ?passing} routing) whose note names what is down.
 */
public final class HealthTtl implements Supplier<TtlStatus> {

    private final List<HealthCheck> checks;

    private HealthTtl(List<HealthCheck> checks) {
        this.checks = List.copyOf(checks);
    }

    /**
     * The status of these checks, asked at every heartbeat.
     *
     * @param checks health checks
     * @return status supplier
     */
    public static HealthTtl create(List<HealthCheck> checks) {
        return new HealthTtl(checks);
    }

    @Override
    public TtlStatus get() {
        String down = checks.stream()
                .filter(check -> check.call().status() != HealthCheckResponse.Status.UP)
                .map(HealthCheck::name)
                .collect(Collectors.joining(", "));
        return down.isEmpty() ? TtlStatus.PASSING : TtlStatus.warning("down: " + down);
    }
}
