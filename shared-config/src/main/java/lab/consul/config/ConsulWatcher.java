package lab.consul.config;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;

import io.helidon.config.spi.ChangeEventType;
import io.helidon.config.spi.ChangeWatcher;
import lab.consul.Answer;
import lab.consul.BlockingQuery;
import lab.consul.ConsulClients;
import lab.consul.ConsulConnection;
import lab.consul.ConsulKey;
import lab.consul.KvEntry;
import lab.consul.ReadMode;
import lab.consul.access.ConsulDenials;

/**
 * Watches one Consul KV key with blocking queries on its own virtual thread and tells Helidon
 * config when its content changed. The watch never dies: errors back off and resume, and an
 * index that goes backwards (a restarted {@code -dev} agent) starts over from 0. A change the
 * source could not read (Helidon only logs a failed reload, and no later answer would bring the
 * change again) counts as a failed question: after a back-off the change is told again.
 */
public final class ConsulWatcher implements ChangeWatcher<ConsulKey> {

    private static final System.Logger LOGGER = System.getLogger(ConsulWatcher.class.getName());
    private static final Object NOT_READ_YET = new Object();

    private final ReadMode reads;
    private final boolean restoreWhenMissing;
    private BlockingQuery<?> query;
    private ConsulConnection client;
    // Only the query's thread touches it.
    // what this instance last knew of the key: the watch's last answer, or a newer read of the source
    private volatile Object last = NOT_READ_YET;
    // set by the source when the reload a change event asked for failed
    private volatile boolean readFailed;

    private ConsulWatcher(ReadMode reads, boolean restoreWhenMissing) {
        this.reads = reads;
        this.restoreWhenMissing = restoreWhenMissing;
    }

    /**
     * A watcher that reads as {@link ReadMode#DEFAULT}.
     *
     * @return new watcher
     */
    public static ConsulWatcher create() {
        return create(false, ReadMode.DEFAULT);
    }

    /**
     * A watcher that may put the last content back when the key disappears.
     *
     * @param restoreWhenMissing whether to write the last content back (create-only)
     * @param reads              consistency, wait and pause of its blocking query
     * @return new watcher
     */
    public static ConsulWatcher create(boolean restoreWhenMissing, ReadMode reads) {
        return new ConsulWatcher(reads, restoreWhenMissing);
    }

    @Override
    public synchronized void start(ConsulKey target, Consumer<ChangeEvent<ConsulKey>> listener) {
        if (query != null) {
            throw new IllegalStateException("A ConsulWatcher watches one key; create another for " + target);
        }
        client = ConsulClients.forWatches(target.endpoint(), reads);
        ConsulConnection client = this.client;
        BlockingQuery.Question<Object> question = target.prefix()
                ? params -> cast(client.kvTree(target.key(), params))
                : params -> cast(client.kv(target.key(), params));
        String right = "key:read on " + (target.prefix() ? "prefix " : "") + "\"" + target.key() + "\"";
        query = BlockingQuery.start("watch-" + target.key(), right, reads, question,
                                    (value, moved, recovered) -> answered(client, target, listener, value, moved));
    }

    @Override
    public synchronized void stop() {
        if (query != null) {
            query.close();
            client.close();
        }
    }

    @SuppressWarnings("unchecked")
    private static Answer<Object> cast(Answer<?> answer) {
        return (Answer<Object>) answer;
    }

    // What counts as "the content" for change detection: a key's text, or a prefix's keys and texts.
    private static Object content(Object value) {
        if (value instanceof Optional<?> single) {
            return single.flatMap(it -> ((KvEntry) it).value()).orElse(null);
        }
        if (value instanceof List<?> values && !values.isEmpty()) {
            Map<String, String> all = new TreeMap<>();
            values.forEach(it -> all.put(((KvEntry) it).key(), ((KvEntry) it).value().orElse(null)));
            return all;
        }
        return null;
    }

    // A restarted -dev agent forgot all KV: put back what this instance last saw, unless someone was faster.
    private static void restore(ConsulConnection client, ConsulKey target, String content) {
        String restoring = "restoring " + target.key();
        try {
            if (client.put(target.key(), content, 0)) {
                LOGGER.log(System.Logger.Level.INFO, "Consul key " + target.key() + " was gone; restored the last known value");
            }
            ConsulDenials.allowed(restoring);
        } catch (RuntimeException e) {
            // A read-only token: the last value stays in use; putting it back is the operator's (logged once).
            if (!ConsulDenials.denied(e, restoring, "key:write on \"" + target.key() + "\"")) {
                throw e;
            }
        }
    }

    @Override
    public Class<ConsulKey> type() {
        return ConsulKey.class;
    }

    /**
     * The source read the key just now (after a change this watch told it of, or at start): what
     * it read is the newest content this instance knows, newer than the watch's last answer when
     * several changes came within the watch's pause. It is what goes back if Consul loses the key.
     *
     * @param content the key's text
     */
    void read(String content) {
        last = content;
    }

    /**
     * The source could not read the key after a change this watch told it of (a server without a
     * leader yet, an agent restarting): the watch tells the change again after a back-off.
     */
    void readFailed() {
        readFailed = true;
    }

    private void answered(ConsulConnection client, ConsulKey target, Consumer<ChangeEvent<ConsulKey>> listener,
                          Object value, boolean moved) {
        Object content = content(value);
        if (content == null && last instanceof String lastContent && restoreWhenMissing && !target.prefix()) {
            // The write moves the index: the next answer brings the restored content.
            restore(client, target, lastContent);
            return;
        }
        if (moved && !Objects.equals(content, last)) {
            Object before = last;
            last = content;
            readFailed = false;
            // Helidon reloads the source within accept, on this thread.
            listener.accept(ChangeEvent.create(target, content != null ? ChangeEventType.CHANGED : ChangeEventType.DELETED));
            if (readFailed) {
                last = before;
                throw new IllegalStateException("the change of " + target.key() + " could not be read");
            }
        }
    }
}
