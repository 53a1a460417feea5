package lab.observability;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.semconv.ClientAttributes;
import io.opentelemetry.semconv.ErrorAttributes;
import io.opentelemetry.semconv.HttpAttributes;
import io.opentelemetry.semconv.NetworkAttributes;
import io.opentelemetry.semconv.ServerAttributes;
import io.opentelemetry.semconv.UrlAttributes;

/**
 * A SERVER span for every request, child of the caller's W3C {@code traceparent}, with the
 * semantic-convention attributes {@code http.request.method}, {@code url.path}, {@code http.route}
 * and {@code http.response.status_code}. While the request is handled, its trace id and span id are
 * in the MDC ({@code %X{trace_id} %X{span_id}}), so its log lines can be found from the trace.
 * <p>
 * {@code /observe/*} (health checks, metrics scrapes) is not traced: every few seconds per
 * instance, it would bury the lab's own traces.
 */
public final class ServerTracing implements Filter {

    private static final TextMapGetter<RoutingRequest> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(RoutingRequest request) {
            return request.headers().stream().map(header -> header.name()).toList();
        }

        @Override
        public String get(RoutingRequest request, String key) {
            return request.headers().first(HeaderNames.create(key)).orElse(null);
        }
    };

    private final OpenTelemetry openTelemetry;
    private final Tracer tracer;

    private ServerTracing(OpenTelemetry openTelemetry) {
        this.openTelemetry = openTelemetry;
        this.tracer = openTelemetry.getTracer("lab.observability.server");
    }

    /**
     * A filter that traces with the given SDK.
     *
     * @param openTelemetry SDK
     * @return filter to add to the routing
     */
    public static ServerTracing create(OpenTelemetry openTelemetry) {
        return new ServerTracing(openTelemetry);
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        if (isObserve(req)) {
            chain.proceed();
            return;
        }
        Context parent = openTelemetry.getPropagators().getTextMapPropagator().extract(Context.current(), req, HEADERS);
        String method = req.prologue().method().text();
        Span span = tracer.spanBuilder(method)
                .setParent(parent)
                .setSpanKind(SpanKind.SERVER)
                .setAttribute(HttpAttributes.HTTP_REQUEST_METHOD, method)
                .setAttribute(UrlAttributes.URL_PATH, req.path().path())
                .setAttribute(UrlAttributes.URL_SCHEME, req.isSecure() ? "https" : "http")
                .setAttribute(ServerAttributes.SERVER_PORT, (long) req.localPeer().port())
                .setAttribute(ClientAttributes.CLIENT_ADDRESS, req.remotePeer().host())
                .setAttribute(NetworkAttributes.NETWORK_PROTOCOL_VERSION, req.prologue().protocolVersion())
                .startSpan();
        try (Scope ignored = span.makeCurrent(); LogCorrelation logs = LogCorrelation.open(span)) {
            chain.proceed();
        } catch (RuntimeException e) {
            span.recordException(e);
            span.setAttribute(ErrorAttributes.ERROR_TYPE, e.getClass().getName());
            throw e;
        } finally {
            req.matchingPattern().map(ServerTracing::route).ifPresent(route -> {
                span.setAttribute(HttpAttributes.HTTP_ROUTE, route);
                span.updateName(method + " " + route);
            });
            int status = res.status().code();
            span.setAttribute(HttpAttributes.HTTP_RESPONSE_STATUS_CODE, (long) status);
            if (status >= 500) {
                span.setStatus(StatusCode.ERROR);
                span.setAttribute(ErrorAttributes.ERROR_TYPE, String.valueOf(status));
            }
            span.end();
        }
    }

    static boolean isObserve(RoutingRequest req) {
        String path = req.path().path();
        return path.equals("/observe") || path.startsWith("/observe/");
    }

    // register("/facade", ...) with a rule for "/" matches as "/facade/"; the route users see is "/facade".
    static String route(String pattern) {
        return pattern.length() > 1 && pattern.endsWith("/") ? pattern.substring(0, pattern.length() - 1) : pattern;
    }
}
