package lab.runtime;

import java.util.Map;

import io.helidon.health.HealthCheck;
import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;
import lab.consul.access.ConsulDenials;

/**
 * Health check {@code consul-access}: DOWN while Consul's ACLs refuse this instance something,
 * each refusal listed with the right its token lacks. A token that lacks a right is a deployment
 * error no retry fixes, so it shows where operators look first (and, through the TTL check, in
 * Consul); it is UP again as soon as the request goes through (a rotated token file).
 */
public final class ConsulAccessCheck implements HealthCheck {

    private ConsulAccessCheck() {
    }

    /**
     * The check.
     *
     * @return check
     */
    public static ConsulAccessCheck create() {
        return new ConsulAccessCheck();
    }

    @Override
    public HealthCheckType type() {
        return HealthCheckType.READINESS;
    }

    @Override
    public String name() {
        return "consul-access";
    }

    @Override
    public HealthCheckResponse call() {
        Map<String, String> denied = ConsulDenials.current();
        HealthCheckResponse.Builder response = HealthCheckResponse.builder()
                .status(denied.isEmpty() ? HealthCheckResponse.Status.UP : HealthCheckResponse.Status.DOWN);
        denied.forEach((what, right) -> response.detail(what, "denied: the token lacks " + right));
        return response.build();
    }
}
