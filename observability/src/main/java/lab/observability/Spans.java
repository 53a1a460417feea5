package lab.observability;

import java.util.function.Supplier;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;

/**
 * Internal spans around work that is not HTTP, e.g. a Hazelcast map operation.
 */
public final class Spans {

    private final Tracer tracer;

    private Spans(OpenTelemetry openTelemetry) {
        this.tracer = openTelemetry.getTracer("lab.observability");
    }

    /**
     * Span helper with the given SDK.
     *
     * @param openTelemetry SDK
     * @return helper
     */
    public static Spans create(OpenTelemetry openTelemetry) {
        return new Spans(openTelemetry);
    }

    /**
     * Runs {@code work} in a CLIENT span (a call to another system, like Hazelcast).
     *
     * @param name       span name, e.g. {@code putIfAbsent message-distributed-map}
     * @param attributes span attributes
     * @param work       the call
     * @param <T>        result type
     * @return what {@code work} returned
     */
    public <T> T client(String name, Attributes attributes, Supplier<T> work) {
        return inSpan(tracer.spanBuilder(name).setSpanKind(SpanKind.CLIENT).setAllAttributes(attributes).startSpan(),
                      work);
    }

    /**
     * Runs {@code work} with {@code span} current, records a failure on it, and ends it.
     */
    static <T> T inSpan(Span span, Supplier<T> work) {
        try (Scope ignored = span.makeCurrent()) {
            return work.get();
        } catch (RuntimeException e) {
            span.recordException(e);
            span.setStatus(StatusCode.ERROR);
            throw e;
        } finally {
            span.end();
        }
    }
}
