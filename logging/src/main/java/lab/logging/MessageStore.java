package lab.logging;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import com.hazelcast.config.RingbufferConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.map.IMap;
import com.hazelcast.ringbuffer.ReadResultSet;
import com.hazelcast.ringbuffer.Ringbuffer;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import lab.json.Json;
import lab.observability.Spans;
import lab.runtime.Cursor;
import lab.runtime.Page;
import lab.runtime.Paging;

/**
 * The logged messages, shared by every logging instance through Hazelcast, in two structures:
 * <ul>
 *     <li>the map {@code map_name}, uuid to text: {@code putIfAbsent} on it makes a uuid stored at
 *     most once, across all instances;</li>
 *     <li>the ringbuffer {@code <map_name>-history}: each stored message once, in arrival order,
 *     as its JSON. A ringbuffer hands out dense sequence numbers as it appends, so a page is one
 *     read of {@code limit} consecutive sequence numbers: no scan, no sort, the same cost at any
 *     length. It keeps the newest {@code capacity} messages (older ones stay in the map, so their
 *     uuids stay taken, but leave the list).</li>
 * </ul>
 * The two writes are not one transaction: an instance killed between them leaves a uuid taken
 * and its message out of the list.
 * <p>
 * The newest page is what nearly every {@code GET} asks for: one read of it serves the first
 * pages asked for in the next {@code staleness} (50 ms), so under load most of them cost no
 * Hazelcast call, and another instance's new message shows at most that much later (this
 * instance's own at once). Pages after a cursor always read Hazelcast.
 */
final class MessageStore {

    private static final String HISTORY_SUFFIX = "-history";
    private static final AttributeKey<String> DB_SYSTEM = AttributeKey.stringKey("db.system.name");
    private static final AttributeKey<String> DB_OPERATION = AttributeKey.stringKey("db.operation.name");
    private static final AttributeKey<String> DB_COLLECTION = AttributeKey.stringKey("db.collection.name");

    private final HazelcastInstance hazelcast;
    private final Supplier<String> mapName;
    private final HistoryConfig config;
    private final Spans spans;
    // The ringbuffer in use and its capacity, found once per connection: a cluster that restarted
    // whole has forgotten the ringbuffer's configuration.
    private final AtomicReference<History> history = new AtomicReference<>();
    private final AtomicReference<NewestPage> newest = new AtomicReference<>();

    private MessageStore(HazelcastInstance hazelcast, Supplier<String> mapName, HistoryConfig config, Spans spans) {
        this.hazelcast = hazelcast;
        this.mapName = mapName;
        this.config = config;
        this.spans = spans;
        hazelcast.getLifecycleService().addLifecycleListener(event -> {
            if (event.getState() == LifecycleEvent.LifecycleState.CLIENT_CONNECTED) {
                // Perhaps a cluster that restarted whole: new ringbuffers, sequence numbers from 0.
                history.set(null);
                newest.set(null);
            }
        });
    }

    /**
     * A store in the map the supplier names now: a new {@code map_name} in Consul takes effect
     * with the next call, no restart.
     *
     * @param hazelcast client (or member)
     * @param mapName   name of the uuid map, read per call
     * @param config    how the list is kept
     * @param telemetry traces the Hazelcast calls
     * @return store
     */
    static MessageStore create(HazelcastInstance hazelcast, Supplier<String> mapName, HistoryConfig config,
                               OpenTelemetry telemetry) {
        return new MessageStore(hazelcast, mapName, config, Spans.create(telemetry));
    }

    /**
     * Stores the message unless its uuid is taken (atomic across all logging instances), then
     * appends it to the list.
     *
     * @return whether it was stored
     */
    boolean storeIfAbsent(Message message) {
        // The list first: a history that cannot be used must fail the request before the uuid is taken.
        History current = history();
        Ringbuffer<byte[]> ring = current.ring();
        IMap<String, String> map = hazelcast.getMap(mapName.get());
        boolean stored = spans.client("putIfAbsent " + map.getName(), attributes("putIfAbsent", map.getName()),
                                      () -> map.putIfAbsent(message.uuid(), message.msg()) == null);
        if (stored) {
            long sequence = spans.client("add " + ring.getName(), attributes("add", ring.getName()),
                                         () -> ring.add(Json.bytes(message.json())));
            current.appended().accumulateAndGet(sequence, Math::max);
        }
        return stored;
    }

    /**
     * One page of the list, newest first.
     *
     * @param limit  page size
     * @param cursor where the page starts, empty for the newest message
     * @return page
     */
    Page page(int limit, Optional<Cursor> cursor) {
        History current = history();
        Ringbuffer<byte[]> ring = current.ring();
        if (cursor.isPresent() && !cursor.get().issuer().equals(ring.getName())) {
            throw Paging.badRequest("cursor belongs to the history " + cursor.get().issuer() + ", not to "
                                            + ring.getName() + " (map_name changed); start a new walk without a cursor");
        }
        NewestPage cached = newest.get();
        if (cursor.isEmpty() && cached != null && cached.serves(ring.getName(), limit, config)
                && cached.tail() >= current.appended().get()) {
            return cached.page(limit);
        }
        return spans.client("readMany " + ring.getName(), attributes("readMany", ring.getName()), () -> {
            long tail = ring.tailSequence();
            long head = Math.max(0, tail - current.capacity() + 1);
            Paging.Window window = Paging.window(head, tail, limit, cursor.map(Cursor::position));
            List<byte[]> entries = read(ring, window);
            if (cursor.isEmpty()) {
                NewestPage read = new NewestPage(ring.getName(), head, tail, entries, System.nanoTime());
                // A slower read of an older tail never replaces a newer page.
                newest.accumulateAndGet(read, (old, fresh) -> old == null || !old.ring().equals(fresh.ring())
                        || fresh.tail() >= old.tail() ? fresh : old);
            }
            return page(ring.getName(), window, entries);
        });
    }

    private static Page page(String ring, Paging.Window window, List<byte[]> entries) {
        return new Page(entries, window.next().map(position -> new Cursor(Cursor.LOGGING, ring, "", position)),
                        window.total());
    }

    private static List<byte[]> read(Ringbuffer<byte[]> ring, Paging.Window window) {
        if (window.size() == 0) {
            return List.of();
        }
        ReadResultSet<byte[]> read;
        try {
            read = ring.readManyAsync(window.oldest(), 0, window.size(), null).toCompletableFuture().get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading " + ring.getName(), e);
        }
        if (read.readCount() > 0 && read.getSequence(0) != window.oldest()) {
            // Appends elsewhere pushed the page's oldest entries out after the tail was read.
            throw Paging.gone("the entries after this cursor were dropped by the history's capacity while it was"
                                      + " read; start a new walk without a cursor");
        }
        List<byte[]> entries = new ArrayList<>(read.readCount());
        for (int i = read.readCount() - 1; i >= 0; i--) {
            entries.add(read.get(i));
        }
        return entries;
    }

    private History history() {
        String name = mapName.get() + HISTORY_SUFFIX;
        History current = history.get();
        if (current == null || !current.ring().getName().equals(name)) {
            // Configured before first use; adding the same configuration again is a no-op, a different one fails loudly.
            hazelcast.getConfig().addRingBufferConfig(new RingbufferConfig(name)
                                                              .setCapacity(config.capacity())
                                                              .setBackupCount(config.backups()));
            Ringbuffer<byte[]> ring = hazelcast.getRingbuffer(name);
            current = new History(ring, ring.capacity(), new AtomicLong(-1));
            history.set(current);
        }
        return current;
    }

    private static Attributes attributes(String operation, String collection) {
        return Attributes.of(DB_SYSTEM, "hazelcast", DB_OPERATION, operation, DB_COLLECTION, collection);
    }

    // One history in use: its ringbuffer, capacity, and the newest sequence number this instance appended
    // to it (a newest page older than that is not served).
    private record History(Ringbuffer<byte[]> ring, long capacity, AtomicLong appended) {
    }

    /** The newest entries as read at {@code readAt}, newest first. */
    private record NewestPage(String ring, long head, long tail, List<byte[]> entries, long readAt) {

        boolean serves(String current, int limit, HistoryConfig config) {
            return ring.equals(current)
                    && System.nanoTime() - readAt < config.staleness().toNanos()
                    && (entries.size() >= limit || entries.size() == tail - head + 1);
        }

        Page page(int limit) {
            Paging.Window window = Paging.window(head, tail, limit, Optional.empty());
            return MessageStore.page(ring, window, entries.subList(0, window.size()));
        }
    }
}
