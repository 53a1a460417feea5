package lab.facade;

import java.util.Map;
import java.util.function.Supplier;

import com.hazelcast.collection.IQueue;
import com.hazelcast.core.HazelcastInstance;
import io.helidon.json.JsonObject;
import lab.observability.QueueTracing;

/**
 * Offers messages to the Hazelcast queue as JSON envelopes {@code {uuid, msg, traceparent}}.
 */
final class QueueProducer {

    private final HazelcastInstance hazelcast;
    private final Supplier<String> queueName;
    private final QueueTracing tracing;

    private QueueProducer(HazelcastInstance hazelcast, Supplier<String> queueName, QueueTracing tracing) {
        this.hazelcast = hazelcast;
        this.queueName = queueName;
        this.tracing = tracing;
    }

    /**
     * A producer for the queue the supplier names now: a new {@code queue_name} in Consul takes
     * effect with the next message, no restart.
     */
    static QueueProducer create(HazelcastInstance hazelcast, Supplier<String> queueName, QueueTracing tracing) {
        return new QueueProducer(hazelcast, queueName, tracing);
    }

    /**
     * Offers the message. The queue is looked up per call (Hazelcast caches the proxy): the client
     * may still be connecting at start-up, and the name may have changed.
     *
     * @return whether the queue took it
     */
    boolean offer(Message message) {
        IQueue<String> queue = hazelcast.getQueue(queueName.get());
        return tracing.send(queue.getName(), message.uuid(), Map.of("uuid", message.uuid(), "msg", message.msg()),
                            envelope -> queue.offer(json(envelope)));
    }

    private static String json(Map<String, String> envelope) {
        JsonObject.Builder json = JsonObject.builder();
        envelope.forEach(json::set);
        return json.build().toString();
    }
}
