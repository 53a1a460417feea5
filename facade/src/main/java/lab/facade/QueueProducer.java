package lab.facade;

import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hazelcast.collection.IQueue;
import com.hazelcast.core.HazelcastInstance;
import lab.observability.QueueTracing;

/**
 * Offers messages to the Hazelcast queue as JSON envelopes {@code {uuid, msg, traceparent}}.
 */
final class QueueProducer {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HazelcastInstance hazelcast;
    private final String queueName;
    private final QueueTracing tracing;

    private QueueProducer(HazelcastInstance hazelcast, String queueName, QueueTracing tracing) {
        this.hazelcast = hazelcast;
        this.queueName = queueName;
        this.tracing = tracing;
    }

    static QueueProducer create(HazelcastInstance hazelcast, String queueName, QueueTracing tracing) {
        return new QueueProducer(hazelcast, queueName, tracing);
    }

    /**
     * Offers the message.
     *
     * @return whether the queue took it
     */
    boolean offer(Message message) {
        return tracing.send(queueName, message.uuid(), Map.of("uuid", message.uuid(), "msg", message.msg()),
                            envelope -> queue().offer(json(envelope)));
    }

    // Looked up per call (Hazelcast caches the proxy): the client may still be connecting at start-up.
    private IQueue<String> queue() {
        return hazelcast.getQueue(queueName);
    }

    private static String json(Map<String, String> envelope) {
        try {
            return JSON.writeValueAsString(envelope);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A map of strings is always JSON", e);
        }
    }
}
