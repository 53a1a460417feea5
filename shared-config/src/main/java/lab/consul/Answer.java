package lab.consul;

/**
 * What Consul answered to a read, with the headers a blocking query needs.
 *
 * @param value       the answer
 * @param index       {@code X-Consul-Index}: ask again with it to wait for a change (0 when missing)
 * @param lastContact {@code X-Consul-LastContact}: how long the answering server had not heard
 *                    from the leader, in milliseconds (0 from the leader, or when missing)
 * @param <T>         what was read
 */
public record Answer<T>(T value, long index, long lastContact) {
}
