package lab.logging;

import java.util.List;
import java.util.function.Supplier;

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
    private final Supplier<String> mapName;
    private final Spans spans;

    private MessageStore(HazelcastInstance hazelcast, Supplier<String> mapName, Spans spans) {
        this.hazelcast = hazelcast;
        this.mapName = mapName;
        this.spans = spans;
    }

    /**
     * A store in the map the supplier names now: a new {@code map_name} in Consul takes effect
     * with the next call, no restart.
     */
    static MessageStore create(HazelcastInstance hazelcast, Supplier<String> mapName, OpenTelemetry telemetry) {
        return new MessageStore(hazelcast, mapName, Spans.create(telemetry));
    }

    /**
     * Stores the message unless its uuid is taken; atomic across all logging instances.
     *
     * @return whether it was stored
     */
    boolean storeIfAbsent(Message message) {
        IMap<String, String> map = map();
        Attributes attributes = Attributes.of(DB_SYSTEM, "hazelcast", DB_OPERATION, "putIfAbsent",
                                              DB_COLLECTION, map.getName());
        return spans.client("putIfAbsent " + map.getName(), attributes,
                            () -> map.putIfAbsent(message.uuid(), message.msg()) == null);
    }

    List<Message> all() {
        return map().entrySet().stream()
                .map(entry -> new Message(entry.getKey(), entry.getValue()))
                .sorted(java.util.Comparator.comparing(Message::uuid))
                .toList();
    }

    // Looked up per call (Hazelcast caches the proxy): the client may still be connecting at start-up.
    private IMap<String, String> map() {
        return hazelcast.getMap(mapName.get());
    }
}
