package lab.config;

import java.util.regex.Pattern;

/**
 * One KV key on one Consul agent: what a {@link ConsulConfigSource} reads and a
 * {@link ConsulWatcher} watches.
 *
 * @param endpoint agent
 * @param key      KV key
 */
public record ConsulKey(ConsulEndpoint endpoint, String key) {

    // The ecwid client puts keys into the URL path unencoded, so only path-safe names are allowed.
    private static final Pattern SAFE_KEY = Pattern.compile("[A-Za-z0-9_.\\-]+(/[A-Za-z0-9_.\\-]+)*/?");

    /**
     * Validates the key name.
     *
     * @param endpoint agent
     * @param key      KV key
     */
    public ConsulKey {
        if (key == null || !SAFE_KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("Consul KV key must be letters, digits, '_', '.', '-' and single '/': "
                                                       + key);
        }
    }

    @Override
    public String toString() {
        return endpoint.uri() + "/v1/kv/" + key;
    }
}
