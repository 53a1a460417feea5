package lab.messages;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import com.hazelcast.collection.IQueue;
import com.hazelcast.core.HazelcastInstance;
import io.helidon.json.JsonException;
import io.helidon.json.JsonObject;
import lab.consul.Backoff;
import lab.json.Json;
import lab.observability.QueueTracing;

/**
 * Takes envelopes {@code {uuid, msg, traceparent}} from the Hazelcast queue on a virtual thread and
 * keeps their messages. Survives a lost cluster: it backs off and polls again.
 */
final class QueueConsumer {

    private static final System.Logger LOGGER = System.getLogger(QueueConsumer.class.getName());
    private static final Duration MAX_PAUSE = Duration.ofSeconds(1);

    private final HazelcastInstance hazelcast;
    private final Supplier<String> queueName;
    private final QueueTracing.Consumer consumer;
    private final QueueTracing tracing;
    private final ReceivedMessages received;

    private QueueConsumer(HazelcastInstance hazelcast, Supplier<String> queueName, QueueTracing.Consumer consumer,
                          QueueTracing tracing,
                          ReceivedMessages received) {
        this.hazelcast = hazelcast;
        this.queueName = queueName;
        this.consumer = consumer;
        this.tracing = tracing;
        this.received = received;
    }

    /**
     * Starts consuming on a virtual thread. Every poll asks the supplier for the queue name, so a
     * new {@code queue_name} in Consul switches the consumer over without a restart.
     */
    static Thread start(HazelcastInstance hazelcast, Supplier<String> queueName, QueueTracing.Consumer consumer,
                        QueueTracing tracing, ReceivedMessages received) {
        QueueConsumer queueConsumer = new QueueConsumer(hazelcast, queueName, consumer, tracing, received);
        return Thread.ofVirtual().name("queue-consumer").start(queueConsumer::run);
    }

    private void run() {
        int failures = 0;
        while (!Thread.currentThread().isInterrupted() && hazelcast.getLifecycleService().isRunning()) {
            String name = queueName.get();
            try {
                IQueue<String> queue = hazelcast.getQueue(name);
                String envelope = queue.poll(1, TimeUnit.SECONDS);
                if (envelope != null) {
                    accept(name, envelope);
                }
                failures = 0;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                failures++;
                if (failures == 1) {
                    LOGGER.log(System.Logger.Level.WARNING, "Cannot poll queue " + name + ": " + e.getMessage());
                }
                Backoff.sleep(failures, MAX_PAUSE);
            }
        }
    }

    private void accept(String queue, String text) {
        Map<String, String> envelope;
        try {
            envelope = envelope(Json.object(text));
        } catch (JsonException e) {
            LOGGER.log(System.Logger.Level.WARNING, "Dropping a malformed queue entry: " + e.getMessage());
            return;
        }
        if (envelope.get("uuid") == null || envelope.get("msg") == null) {
            LOGGER.log(System.Logger.Level.WARNING, "Dropping a queue entry without a uuid and msg: " + envelope.keySet());
            return;
        }
        Message message = new Message(envelope.get("uuid"), envelope.get("msg"));
        tracing.process(queue, message.uuid(), envelope, consumer, () -> {
            received.add(message);
            return message;
        });
    }

    // The envelope's text fields: uuid, msg and the trace context the producer wrote.
    private static Map<String, String> envelope(JsonObject json) {
        Map<String, String> envelope = new HashMap<>();
        json.keysAsStrings().forEach(key -> Json.text(json, key).ifPresent(value -> envelope.put(key, value)));
        return envelope;
    }
}
