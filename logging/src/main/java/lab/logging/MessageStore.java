package lab.logging;

import java.util.List;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import lab.observability.Spans;

/**
 * The logged messages, in a Hazelcast map shared by every logging instance.
 */
final class MessageStore {

    private static final AttributeKey<String> DB_SYSTEM = AttributeKey.stringKey("db.system.name");
    private static final AttributeKey<String> DB_OPERATION = AttributeKey.stringKey("db.operation.name");
    private static final AttributeKey<String> DB_COLLECTION = AttributeKey.stringKey("db.collection.name");

    private final HazelcastInstance hazelcast;
    private final String mapName;
    private final Spans spans;
    private final Attributes putAttributes;

    private MessageStore(HazelcastInstance hazelcast, String mapName, Spans spans) {
        this.hazelcast = hazelcast;
        this.mapName = mapName;
        this.spans = spans;
        this.putAttributes = Attributes.of(DB_SYSTEM, "hazelcast", DB_OPERATION, "putIfAbsent", DB_COLLECTION, mapName);
    }

    static MessageStore create(HazelcastInstance hazelcast, String mapName, OpenTelemetry telemetry) {
        return new MessageStore(hazelcast, mapName, Spans.create(telemetry));
    }

    /**
     * Stores the message unless its uuid is taken; atomic across all logging instances.
     *
     * @return whether it was stored
     */
    boolean storeIfAbsent(Message message) {
        return spans.client("putIfAbsent " + mapName, putAttributes,
                            () -> map().putIfAbsent(message.uuid(), message.msg()) == null);
    }

    List<Message> all() {
        return map().entrySet().stream()
                .map(entry -> new Message(entry.getKey(), entry.getValue()))
                .sorted(java.util.Comparator.comparing(Message::uuid))
                .toList();
    }

    // Looked up per call (Hazelcast caches the proxy): the client may still be connecting at start-up.
    private IMap<String, String> map() {
        return hazelcast.getMap(mapName);
    }
}
