package lab.consul;

import java.util.Optional;
import java.util.function.UnaryOperator;

import io.helidon.json.JsonException;
import io.helidon.json.JsonObject;
import lab.json.Json;

/**
 * A JSON document in one Consul KV key, changed by read-modify-write with check-and-set: writers
 * that race each retry on the fresh value, so none loses another's change.
 */
public final class KvDocument implements AutoCloseable {

    private static final int MAX_ATTEMPTS = 50;

    private final ConsulConnection client;
    private final String key;

    private KvDocument(ConsulConnection client, String key) {
        this.client = client;
        this.key = key;
    }

    /**
     * The document at {@code key}.
     *
     * @param endpoint agent
     * @param key      KV key
     * @return document
     */
    public static KvDocument create(ConsulEndpoint endpoint, String key) {
        return new KvDocument(ConsulClients.create(endpoint), new ConsulKey(endpoint, key).key());
    }

    /**
     * Applies {@code change} to the current document (an empty object when the key is missing) and
     * writes the result if it differs, retrying on the fresh value while another writer wins.
     *
     * @param change returns the new document (JSON objects do not change: build one, e.g. from the old)
     * @return whether the document was written
     */
    public boolean update(UnaryOperator<JsonObject> change) {
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            Optional<KvEntry> current = client.kv(key);
            JsonObject before = current.flatMap(KvEntry::value).map(this::parse).orElseGet(JsonObject::empty);
            JsonObject after = change.apply(before);
            // Compared as text: in Helidon 4.5 a built object can be equal() to a parsed one with fewer fields
            // (and a built copy of a parsed one is not equal() to it), so every write was lost or never skipped.
            String written = after.toString();
            if (written.equals(before.toString())) {
                return false;
            }
            if (client.put(key, written, current.map(KvEntry::modifyIndex).orElse(0L))) {
                return true;
            }
            Backoff.sleepMillis(attempt);
        }
        throw new IllegalStateException("Could not update " + key + " after " + MAX_ATTEMPTS + " concurrent attempts");
    }

    private JsonObject parse(String text) {
        try {
            return Json.object(text);
        } catch (JsonException e) {
            // fall through: a broken document is not ours to overwrite
        }
        throw new IllegalStateException(key + " does not hold a JSON object; not changing it");
    }

    /**
     * Closes its Consul connection.
     */
    @Override
    public void close() {
        client.close();
    }
}
