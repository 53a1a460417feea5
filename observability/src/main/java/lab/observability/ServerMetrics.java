package lab.observability;

import java.util.List;

import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.semconv.ErrorAttributes;
import io.opentelemetry.semconv.HttpAttributes;

/**
 * {@code http.server.request.duration} (a histogram in seconds, the semantic convention's buckets)
 * of every request but the {@code /observe/*} ones (health checks and scrapes are not the lab's
 * traffic), with {@code http.request.method}, {@code http.route}, {@code http.response.status_code}
 * and, for a 5xx or an exception, {@code error.type}.
 * <p>
 * Added after {@link ServerTracing}, it records while the request's SERVER span is current, so the
 * SDK's trace-based exemplars put that span's trace id on the bucket: a slow bucket leads to its
 * trace.
 */
public final class ServerMetrics implements Filter {

    /** The buckets the semantic convention advises for HTTP durations, in seconds. */
    static final List<Double> DURATION_BUCKETS = List.of(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5,
                                                         5.0, 7.5, 10.0);

    private final DoubleHistogram duration;

    private ServerMetrics(OpenTelemetry openTelemetry) {
        this.duration = openTelemetry.getMeter("lab.observability.server")
                .histogramBuilder("http.server.request.duration")
                .setUnit("s")
                .setDescription("Duration of HTTP server requests")
                .setExplicitBucketBoundariesAdvice(DURATION_BUCKETS)
                .build();
    }

    /**
     * A filter that records with the given SDK.
     *
     * @param openTelemetry SDK
     * @return filter to add to the routing, after {@link ServerTracing}
     */
    public static ServerMetrics create(OpenTelemetry openTelemetry) {
        return new ServerMetrics(openTelemetry);
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        if (ServerTracing.isObserve(req)) {
            chain.proceed();
            return;
        }
        long start = System.nanoTime();
        String errorType = null;
        try {
            chain.proceed();
        } catch (RuntimeException e) {
            errorType = e.getClass().getName();
            throw e;
        } finally {
            int status = res.status().code();
            AttributesBuilder attributes = Attributes.builder()
                    .put(HttpAttributes.HTTP_REQUEST_METHOD, req.prologue().method().text())
                    .put(HttpAttributes.HTTP_RESPONSE_STATUS_CODE, (long) status);
            req.matchingPattern().map(ServerTracing::route).ifPresent(route -> attributes.put(HttpAttributes.HTTP_ROUTE, route));
            if (errorType == null && status >= 500) {
                errorType = String.valueOf(status);
            }
            if (errorType != null) {
                attributes.put(ErrorAttributes.ERROR_TYPE, errorType);
            }
            duration.record((System.nanoTime() - start) / 1e9, attributes.build());
        }
    }
}
