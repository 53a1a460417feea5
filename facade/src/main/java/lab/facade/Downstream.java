package lab.facade;

import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webclient.api.HttpClientRequest;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;
import lab.config.Failover;
import lab.config.HealthyInstances;
import lab.config.Instance;
import lab.observability.ClientTracing;

/**
 * HTTP calls to one downstream service: a random passing instance per call, another one when an
 * attempt fails (connect error, timeout, unexpected status), each attempt traced with the instance
 * it chose.
 */
final class Downstream {

    private static final int MAX_ATTEMPTS = 3;

    private final WebClient http;
    private final Failover failover;
    private final Supplier<String> path;

    private Downstream(WebClient http, HealthyInstances instances, Supplier<String> path) {
        this.http = http;
        this.failover = Failover.create(instances, MAX_ATTEMPTS);
        this.path = path;
    }

    /**
     * Calls to a service's instances at the path the supplier names now ({@code api-endpoints} in
     * Consul; a change takes effect with the next call).
     */
    static Downstream create(WebClient http, HealthyInstances instances, Supplier<String> path) {
        return new Downstream(http, instances, path);
    }

    /**
     * One exchange, retried on other instances while {@code handler} throws.
     *
     * @param method  HTTP method
     * @param entity  request body, or {@code null}
     * @param handler reads the response; throws to try another instance
     * @param <T>     result type
     * @return the handler's result
     * @throws Failover.UnavailableException when no instance gave a usable answer
     */
    <T> T exchange(Method method, Object entity, ResponseHandler<T> handler) {
        return failover.call((instance, resendCount) -> {
            HttpClientRequest request = http.method(method)
                    .uri(instance.uri().resolve(path.get()))
                    .property(ClientTracing.INSTANCE_ID, instance.id())
                    .property(ClientTracing.RESEND_COUNT, String.valueOf(resendCount));
            try (HttpClientResponse response = entity == null ? request.request() : request.submit(entity)) {
                return handler.handle(instance, resendCount, response);
            }
        });
    }

    /**
     * The JSON list the path answers with on {@code GET}.
     *
     * @return JSON array
     */
    JsonNode list() {
        return exchange(Method.GET, null, (instance, resendCount, response) -> {
            if (response.status() != Status.OK_200) {
                throw new UnexpectedStatus(instance, response.status());
            }
            return response.as(JsonNode.class);
        });
    }

    /**
     * Reads one response.
     *
     * @param <T> result type
     */
    @FunctionalInterface
    interface ResponseHandler<T> {
        T handle(Instance instance, int resendCount, HttpClientResponse response);
    }

    /**
     * An instance answered with a status the caller cannot use; another instance is tried.
     */
    static final class UnexpectedStatus extends RuntimeException {
        UnexpectedStatus(Instance instance, Status status) {
            super(instance.id() + " answered " + status.code());
        }
    }
}
