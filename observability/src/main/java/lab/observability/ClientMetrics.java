package lab.observability;

import io.helidon.webclient.spi.WebClientService;
import io.helidon.webclient.api.WebClientServiceRequest;
import io.helidon.webclient.api.WebClientServiceResponse;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.semconv.ErrorAttributes;
import io.opentelemetry.semconv.HttpAttributes;

/**
 * {@code http.client.request.duration} (a histogram in seconds) of every attempt of every WebClient
 * call, per downstream service ({@code lab.peer.service}, the Consul service name the caller puts
 * in the request property {@link #PEER_SERVICE}), method, status code and, on an error status or
 * a failed exchange, {@code error.type}: what each downstream costs and how often it fails.
 */
public final class ClientMetrics implements WebClientService {

    /** Request property: the Consul service name of the instance called. */
    public static final String PEER_SERVICE = "lab.peer.service";

    static final AttributeKey<String> PEER_SERVICE_NAME = AttributeKey.stringKey("lab.peer.service");

    private final DoubleHistogram duration;

    private ClientMetrics(OpenTelemetry openTelemetry) {
        this.duration = openTelemetry.getMeter("lab.observability.client")
                .histogramBuilder("http.client.request.duration")
                .setUnit("s")
                .setDescription("Duration of HTTP client requests")
                .setExplicitBucketBoundariesAdvice(ServerMetrics.DURATION_BUCKETS)
                .build();
    }

    /**
     * A client service that records with the given SDK.
     *
     * @param openTelemetry SDK
     * @return service to add to a WebClient (after {@link ClientTracing}: the span is current)
     */
    public static ClientMetrics create(OpenTelemetry openTelemetry) {
        return new ClientMetrics(openTelemetry);
    }

    @Override
    public WebClientServiceResponse handle(Chain chain, WebClientServiceRequest request) {
        AttributesBuilder attributes = Attributes.builder()
                .put(HttpAttributes.HTTP_REQUEST_METHOD, request.method().text())
                .put(PEER_SERVICE_NAME, request.properties().getOrDefault(PEER_SERVICE, "unknown"));
        long start = System.nanoTime();
        try {
            WebClientServiceResponse response = chain.proceed(request);
            int status = response.status().code();
            attributes.put(HttpAttributes.HTTP_RESPONSE_STATUS_CODE, (long) status);
            if (status >= 400) {
                attributes.put(ErrorAttributes.ERROR_TYPE, String.valueOf(status));
            }
            return response;
        } catch (RuntimeException e) {
            attributes.put(ErrorAttributes.ERROR_TYPE, e.getClass().getName());
            throw e;
        } finally {
            duration.record((System.nanoTime() - start) / 1e9, attributes.build());
        }
    }
}
