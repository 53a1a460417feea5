package lab.observability;

import io.helidon.http.HeaderNames;
import io.helidon.webclient.api.WebClientServiceRequest;
import io.helidon.webclient.api.WebClientServiceResponse;
import io.helidon.webclient.spi.WebClientService;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.semconv.ErrorAttributes;
import io.opentelemetry.semconv.HttpAttributes;
import io.opentelemetry.semconv.ServerAttributes;
import io.opentelemetry.semconv.UrlAttributes;

/**
 * One CLIENT span per attempt of every WebClient call, semconv-correct: named by the method, with
 * {@code http.request.method}, {@code server.address}, {@code server.port}, {@code url.full},
 * {@code http.response.status_code}, {@code http.request.resend_count} on retries, {@code error.type}
 * only on errors, and the Consul service id of the instance called. Propagates {@code traceparent}.
 * <p>
 * Callers say which instance and which attempt through request properties:
 * {@code request.property(ClientTracing.INSTANCE_ID, id).property(ClientTracing.RESEND_COUNT, "1")}.
 */
public final class ClientTracing implements WebClientService {

    /** Request property: Consul service id of the instance called. */
    public static final String INSTANCE_ID = "lab.instance.id";
    /** Request property: 0 for the first attempt, then 1, 2, ... */
    public static final String RESEND_COUNT = "lab.resend.count";

    static final AttributeKey<String> PEER_SERVICE_ID = AttributeKey.stringKey("lab.peer.service.id");
    static final AttributeKey<Long> HTTP_REQUEST_RESEND_COUNT = AttributeKey.longKey("http.request.resend_count");

    private final OpenTelemetry openTelemetry;
    private final Tracer tracer;

    private ClientTracing(OpenTelemetry openTelemetry) {
        this.openTelemetry = openTelemetry;
        this.tracer = openTelemetry.getTracer("lab.observability.client");
    }

    /**
     * A client service that traces with the given SDK.
     *
     * @param openTelemetry SDK
     * @return service to add to a WebClient
     */
    public static ClientTracing create(OpenTelemetry openTelemetry) {
        return new ClientTracing(openTelemetry);
    }

    @Override
    public WebClientServiceResponse handle(Chain chain, WebClientServiceRequest request) {
        String method = request.method().text();
        SpanBuilder builder = tracer.spanBuilder(method)
                .setSpanKind(SpanKind.CLIENT)
                .setAttribute(HttpAttributes.HTTP_REQUEST_METHOD, method)
                .setAttribute(ServerAttributes.SERVER_ADDRESS, request.uri().host())
                .setAttribute(ServerAttributes.SERVER_PORT, (long) request.uri().port())
                .setAttribute(UrlAttributes.URL_FULL, request.uri().toUri().toString());
        String instanceId = request.properties().get(INSTANCE_ID);
        if (instanceId != null) {
            builder.setAttribute(PEER_SERVICE_ID, instanceId);
        }
        String resendCount = request.properties().get(RESEND_COUNT);
        if (resendCount != null && !"0".equals(resendCount)) {
            builder.setAttribute(HTTP_REQUEST_RESEND_COUNT, Long.parseLong(resendCount));
        }
        Span span = builder.startSpan();
        try (Scope ignored = span.makeCurrent()) {
            openTelemetry.getPropagators().getTextMapPropagator().inject(
                    Context.current(), request, (carrier, key, value) -> carrier.headers().set(HeaderNames.create(key), value));
            WebClientServiceResponse response = chain.proceed(request);
            int status = response.status().code();
            span.setAttribute(HttpAttributes.HTTP_RESPONSE_STATUS_CODE, (long) status);
            if (status >= 400) {
                span.setStatus(StatusCode.ERROR);
                span.setAttribute(ErrorAttributes.ERROR_TYPE, String.valueOf(status));
            }
            return response;
        } catch (RuntimeException e) {
            span.recordException(e);
            span.setStatus(StatusCode.ERROR);
            span.setAttribute(ErrorAttributes.ERROR_TYPE, e.getClass().getName());
            throw e;
        } finally {
            span.end();
        }
    }
}
