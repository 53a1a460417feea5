package lab.consul;

import java.util.Optional;

/**
 * One key of Consul's KV store as read.
 *
 * @param key         full key
 * @param value       its value as UTF-8 text; empty for a key without one (a folder, {@code a/b/})
 * @param modifyIndex index of its last change: the check-and-set index of a write that must not lose another
 */
public record KvEntry(String key, Optional<String> value, long modifyIndex) {
}
