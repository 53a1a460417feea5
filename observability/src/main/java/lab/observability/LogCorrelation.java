package lab.observability;

import java.util.Optional;

import io.helidon.logging.common.HelidonMdc;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;

/**
 * Puts a span's ids into Helidon's MDC as {@code trace_id} and {@code span_id}, so that a log format
 * with {@code %X{trace_id} %X{span_id}} ties every line logged during the span to its trace.
 * <p>
 * Closing puts back what was there before rather than just removing the keys: the MDC is
 * thread-local, a kept-alive connection serves its requests on one thread, and a span can start
 * while another one's ids are in the MDC.
 */
final class LogCorrelation implements AutoCloseable {

    static final String TRACE_ID = "trace_id";
    static final String SPAN_ID = "span_id";

    private final Optional<String> previousTraceId;
    private final Optional<String> previousSpanId;

    private LogCorrelation(Optional<String> previousTraceId, Optional<String> previousSpanId) {
        this.previousTraceId = previousTraceId;
        this.previousSpanId = previousSpanId;
    }

    /**
     * Puts the span's ids into the MDC of the current thread until {@link #close()}. An invalid
     * span (tracing off) leaves the MDC as it is, so lines show no made-up all-zero ids.
     *
     * @param span the span whose work is logged
     * @return what to close when the span's work is done
     */
    static LogCorrelation open(Span span) {
        LogCorrelation correlation = new LogCorrelation(HelidonMdc.get(TRACE_ID), HelidonMdc.get(SPAN_ID));
        SpanContext context = span.getSpanContext();
        if (context.isValid()) {
            HelidonMdc.set(TRACE_ID, context.getTraceId());
            HelidonMdc.set(SPAN_ID, context.getSpanId());
        }
        return correlation;
    }

    @Override
    public void close() {
        restore(TRACE_ID, previousTraceId);
        restore(SPAN_ID, previousSpanId);
    }

    private static void restore(String key, Optional<String> previous) {
        previous.ifPresentOrElse(value -> HelidonMdc.set(key, value), () -> HelidonMdc.remove(key));
    }
}
