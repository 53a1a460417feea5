package lab.consul;

import java.util.regex.Pattern;

/**
 * One KV key, or every key under a prefix, on one Consul agent: what a config source reads and a
 * {@code ConsulWatcher} watches.
 *
 * @param endpoint agent
 * @param key      KV key, or the prefix
 * @param prefix   whether {@code key} is a prefix (all keys below it) rather than one key
 */
public record ConsulKey(ConsulEndpoint endpoint, String key, boolean prefix) {

    // Keys go into the URL's path as they are, so only path-safe names are allowed.
    private static final Pattern SAFE_KEY = Pattern.compile("[A-Za-z0-9_.\\-]+(/[A-Za-z0-9_.\\-]+)*/?");

    /**
     * Validates the key name.
     *
     * @param endpoint agent
     * @param key      KV key or prefix
     * @param prefix   whether it is a prefix
     */
    public ConsulKey {
        if (key == null || !SAFE_KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("Consul KV key must be letters, digits, '_', '.', '-' and single '/': "
                                                       + key);
        }
    }

    /**
     * One key.
     *
     * @param endpoint agent
     * @param key      KV key
     */
    public ConsulKey(ConsulEndpoint endpoint, String key) {
        this(endpoint, key, false);
    }

    @Override
    public String toString() {
        return endpoint.uri() + "/v1/kv/" + key + (prefix ? "?recurse" : "");
    }
}
