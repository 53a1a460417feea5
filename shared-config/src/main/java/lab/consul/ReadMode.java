package lab.consul;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

import com.ecwid.consul.v1.ConsistencyMode;
import com.ecwid.consul.v1.QueryParams;
import com.ecwid.consul.v1.Response;
import io.helidon.config.Config;

/**
 * How the lab's blocking queries (discovery and the config watch) read from a Consul cluster.
 * <ul>
 *     <li>{@code consistency}: {@code stale} (the default) lets any server answer, so reads spread
 *     over the followers, spare the leader and go on without quorum; {@code default} and
 *     {@code consistent} go through the leader. (The agent cache, {@code ?cached}, would also fold
 *     the watchers of one agent into one server query; the ecwid client has no way to ask for it,
 *     so the lab reads stale, which is what the cache does on its way to the servers too.)</li>
 *     <li>{@code max-stale}: the bound on a stale answer: one from a server that has not heard from
 *     the leader for longer ({@code X-Consul-LastContact}) is not taken; the last good answer
 *     stays, as on any error.</li>
 *     <li>{@code wait}: how long Consul holds a question while nothing changes; each question adds
 *     up to 1/16 more at random, so that thousands of watchers do not come back in step.</li>
 *     <li>{@code min-interval}: a pause after every answer, so that a burst of changes is fetched
 *     once rather than once per change.</li>
 * </ul>
 *
 * @param consistency how servers answer
 * @param maxStale    oldest stale answer taken
 * @param waitTime    longest hold of a question ({@code wait}), before jitter
 * @param minInterval pause after each answer
 */
public record ReadMode(ConsistencyMode consistency, Duration maxStale, Duration waitTime, Duration minInterval) {

    /** Stale reads, at most 5 s behind the leader, 60 s holds, 100 ms between two fetches. */
    public static final ReadMode DEFAULT = new ReadMode(ConsistencyMode.STALE, Duration.ofSeconds(5),
                                                        Duration.ofSeconds(60), Duration.ofMillis(100));

    /**
     * Checks the values.
     */
    public ReadMode {
        Objects.requireNonNull(consistency, "consistency");
        if (waitTime.toSeconds() < 1 || waitTime.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new IllegalArgumentException("wait must be from 1 s to 10 min (Consul's limit), not " + waitTime);
        }
        if (maxStale.isNegative() || minInterval.isNegative()) {
            throw new IllegalArgumentException("max-stale and min-interval cannot be negative");
        }
    }

    /**
     * From a config node ({@code consul.read}): {@code consistency}, {@code max-stale}, {@code wait},
     * {@code min-interval}; what is missing is {@link #DEFAULT}'s.
     *
     * @param config the node
     * @return read mode
     */
    public static ReadMode create(Config config) {
        return new ReadMode(config.get("consistency").asString().map(ReadMode::consistency).orElse(DEFAULT.consistency),
                            config.get("max-stale").as(Duration.class).orElse(DEFAULT.maxStale),
                            config.get("wait").as(Duration.class).orElse(DEFAULT.waitTime),
                            config.get("min-interval").as(Duration.class).orElse(DEFAULT.minInterval));
    }

    /**
     * The query parameters of one question.
     *
     * @param index the index of the last answer (0: answer at once)
     * @return parameters with this mode, the index and a jittered wait
     */
    public QueryParams params(long index) {
        long waitSeconds = waitTime.toSeconds() + ThreadLocalRandom.current().nextLong(waitTime.toSeconds() / 16 + 1);
        return QueryParams.Builder.builder()
                .setConsistencyMode(consistency)
                .setWaitTime(waitSeconds)
                .setIndex(index)
                .build();
    }

    /**
     * Why an answer is not taken: a stale answer further behind the leader than {@code max-stale}.
     *
     * @param response Consul's answer
     * @return the reason, empty when the answer is good
     */
    public Optional<String> tooStale(Response<?> response) {
        Long lastContact = response.getConsulLastContact();
        if (consistency != ConsistencyMode.STALE || lastContact == null || lastContact <= maxStale.toMillis()) {
            return Optional.empty();
        }
        return Optional.of("a stale answer from a server that last heard from the leader " + lastContact
                                   + " ms ago (max-stale " + maxStale.toMillis() + " ms)");
    }

    /**
     * The longest a question can take: the wait, our jitter and Consul's own (wait/16 each).
     *
     * @return duration
     */
    public Duration longestAnswer() {
        return waitTime.plus(waitTime.dividedBy(8));
    }

    private static ConsistencyMode consistency(String name) {
        try {
            return ConsistencyMode.valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("consul.read.consistency must be stale, default or consistent, not " + name);
        }
    }
}
