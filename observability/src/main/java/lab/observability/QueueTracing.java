package lab.observability;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.semconv.ErrorAttributes;

/**
 * Trace context through a Hazelcast queue, which carries no headers: the producer's
 * {@code send <queue>} span writes its W3C {@code traceparent} into the message envelope, and the
 * consumer's {@code process <queue>} span links to it. The consumer's work runs with that span's ids
 * in the MDC, like a request's (the producer runs inside a request, which already has them). It
 * counts too: {@code messaging.client.sent.messages} and {@code messaging.client.consumed.messages}
 * per queue.
 */
public final class QueueTracing {

    static final AttributeKey<String> MESSAGING_SYSTEM = AttributeKey.stringKey("messaging.system");
    static final AttributeKey<String> MESSAGING_DESTINATION = AttributeKey.stringKey("messaging.destination.name");
    static final AttributeKey<String> MESSAGING_OPERATION_TYPE = AttributeKey.stringKey("messaging.operation.type");
    static final AttributeKey<String> MESSAGING_MESSAGE_ID = AttributeKey.stringKey("messaging.message.id");
    static final AttributeKey<String> MESSAGING_OPERATION_NAME = AttributeKey.stringKey("messaging.operation.name");
    static final AttributeKey<String> MESSAGING_CONSUMER_GROUP = AttributeKey.stringKey("messaging.consumer.group.name");
    static final AttributeKey<String> MESSAGING_CLIENT_ID = AttributeKey.stringKey("messaging.client.id");

    private static final TextMapGetter<Map<String, String>> ENVELOPE = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> envelope) {
            return envelope.keySet();
        }

        @Override
        public String get(Map<String, String> envelope, String key) {
            return envelope == null ? null : envelope.get(key);
        }
    };

    private final OpenTelemetry openTelemetry;
    private final Tracer tracer;
    private final LongCounter sent;
    private final LongCounter consumed;

    private QueueTracing(OpenTelemetry openTelemetry) {
        this.openTelemetry = openTelemetry;
        this.tracer = openTelemetry.getTracer("lab.observability.queue");
        Meter meter = openTelemetry.getMeter("lab.observability.queue");
        this.sent = meter.counterBuilder("messaging.client.sent.messages").setUnit("{message}")
                .setDescription("Messages offered to the queue (error.type when it did not take one)").build();
        this.consumed = meter.counterBuilder("messaging.client.consumed.messages").setUnit("{message}")
                .setDescription("Messages taken from the queue and processed").build();
    }

    /**
     * Queue tracing with the given SDK.
     *
     * @param openTelemetry SDK
     * @return queue tracing
     */
    public static QueueTracing create(OpenTelemetry openTelemetry) {
        return new QueueTracing(openTelemetry);
    }

    /**
     * Sends inside a PRODUCER span {@code send <queue>}, with the span's context in the envelope.
     *
     * @param queueName destination
     * @param messageId id of the message
     * @param body      envelope fields without trace context
     * @param send      offers the complete envelope; returns whether the queue took it
     * @return what {@code send} returned
     */
    public boolean send(String queueName, String messageId, Map<String, String> body, SendAction send) {
        Span span = tracer.spanBuilder("send " + queueName)
                .setSpanKind(SpanKind.PRODUCER)
                .setAttribute(MESSAGING_SYSTEM, "hazelcast")
                .setAttribute(MESSAGING_DESTINATION, queueName)
                .setAttribute(MESSAGING_OPERATION_TYPE, "send")
                .setAttribute(MESSAGING_OPERATION_NAME, "offer")
                .setAttribute(MESSAGING_MESSAGE_ID, messageId)
                .startSpan();
        return Spans.inSpan(span, () -> {
            Map<String, String> envelope = new HashMap<>(body);
            openTelemetry.getPropagators().getTextMapPropagator().inject(Context.current(), envelope, Map::put);
            boolean accepted = false;
            try {
                accepted = send.send(envelope);
            } finally {
                sent.add(1, accepted ? destination(queueName) : destination(queueName).toBuilder()
                        .put(ErrorAttributes.ERROR_TYPE, "not_accepted").build());
            }
            if (!accepted) {
                span.setStatus(StatusCode.ERROR, "queue full");
            }
            return accepted;
        });
    }

    /**
     * Processes inside a CONSUMER span {@code process <queue>}, linked to the producer's span.
     *
     * @param queueName  source
     * @param messageId  id of the message
     * @param envelope   envelope as received
     * @param consumer   the consuming instance: its service is the consumer group, its id the client
     * @param process    the work
     * @param <T>        result type
     * @return what {@code process} returned
     */
    public <T> T process(String queueName, String messageId, Map<String, String> envelope, Consumer consumer,
                         Supplier<T> process) {
        SpanContext producer = Span.fromContext(openTelemetry.getPropagators().getTextMapPropagator()
                                                        .extract(Context.root(), envelope, ENVELOPE))
                .getSpanContext();
        SpanBuilder builder = tracer.spanBuilder("process " + queueName)
                .setNoParent()
                .setSpanKind(SpanKind.CONSUMER)
                .setAttribute(MESSAGING_SYSTEM, "hazelcast")
                .setAttribute(MESSAGING_DESTINATION, queueName)
                .setAttribute(MESSAGING_OPERATION_TYPE, "process")
                .setAttribute(MESSAGING_OPERATION_NAME, "poll")
                .setAttribute(MESSAGING_MESSAGE_ID, messageId)
                .setAttribute(MESSAGING_CONSUMER_GROUP, consumer.group())
                .setAttribute(MESSAGING_CLIENT_ID, consumer.clientId());
        if (producer.isValid()) {
            builder.addLink(producer);
        }
        Span span = builder.startSpan();
        consumed.add(1, destination(queueName));
        return Spans.inSpan(span, () -> {
            try (LogCorrelation logs = LogCorrelation.open(span)) {
                return process.get();
            }
        });
    }

    private static Attributes destination(String queueName) {
        return Attributes.of(MESSAGING_SYSTEM, "hazelcast", MESSAGING_DESTINATION, queueName);
    }

    /**
     * Offers the envelope to the queue.
     */
    @FunctionalInterface
    public interface SendAction {
        /**
         * Offers the envelope.
         *
         * @param envelope body plus trace context
         * @return whether the queue took it
         */
        boolean send(Map<String, String> envelope);
    }

    /**
     * Who consumes: instances of one service compete for the queue's messages.
     *
     * @param group    consumer group, the Consul service name, e.g. {@code messages-service}
     * @param clientId the instance, its Consul service id
     */
    public record Consumer(String group, String clientId) {
    }
}
