package lab.observability.testing;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;

/**
 * A real OpenTelemetry SDK whose spans stay in memory for assertions. Passed explicitly, never
 * registered globally, so test classes cannot poison each other.
 */
public final class InMemoryTelemetry {

    private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
    private final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build())
            .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
            .build();

    /**
     * The SDK to hand to the code under test.
     *
     * @return OpenTelemetry
     */
    public OpenTelemetry openTelemetry() {
        return sdk;
    }

    /**
     * Spans ended so far.
     *
     * @return finished spans
     */
    public List<SpanData> spans() {
        return exporter.getFinishedSpanItems();
    }

    /**
     * Waits for a span that matches: server spans end after the response is written.
     *
     * @param what    description for the failure
     * @param matcher which span
     * @return the span
     */
    public SpanData await(String what, Predicate<SpanData> matcher) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline) {
            Optional<SpanData> found = spans().stream().filter(matcher).findFirst();
            if (found.isPresent()) {
                return found.get();
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new AssertionError("No span " + what + " among " + spans().stream().map(SpanData::getName).toList());
    }

    /**
     * Forgets the spans so far.
     */
    public void reset() {
        exporter.reset();
    }
}
