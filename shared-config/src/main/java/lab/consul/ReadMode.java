package lab.consul;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

import io.helidon.config.Config;

/**
 * How the lab's blocking queries (discovery and the config watch) read from a Consul cluster.
 * <ul>
 *     <li>{@code consistency}, see {@link Consistency}: {@code cached} (the default) reads
 *     discovery through the agent's cache, which folds all the watchers of one agent into one
 *     stale query to the servers, and reads what the agent cannot cache ({@code lab_settings}: KV
 *     has no agent cache in Consul 1.8) {@code stale}; {@code stale} lets any server answer, so
 *     reads spread over the followers, spare the leader and go on without quorum;
 *     {@code default} and {@code consistent} go through the leader.</li>
 *     <li>{@code max-stale}: the bound on a stale (or cached) answer: one from a server that had
 *     not heard from the leader for longer ({@code X-Consul-LastContact}) is not taken; the last
 *     good answer stays, as on any error.</li>
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
public record ReadMode(Consistency consistency, Duration maxStale, Duration waitTime, Duration minInterval) {

    /** Cached (else stale) reads, at most 5 s behind the leader, 60 s holds, 100 ms between two fetches. */
    public static final ReadMode DEFAULT = new ReadMode(Consistency.CACHED, Duration.ofSeconds(5),
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
    public Query params(long index) {
        long waitSeconds = waitTime.toSeconds() + ThreadLocalRandom.current().nextLong(waitTime.toSeconds() / 16 + 1);
        Query query = Query.NONE.with("index", index).with("wait", waitSeconds + "s");
        return consistency.flag == null ? query : query.with(consistency.flag);
    }

    /**
     * Why an answer is not taken: a stale answer further behind the leader than {@code max-stale}.
     *
     * @param answer Consul's answer
     * @return the reason, empty when the answer is good
     */
    public Optional<String> tooStale(Answer<?> answer) {
        if (!consistency.stale() || answer.lastContact() <= maxStale.toMillis()) {
            return Optional.empty();
        }
        return Optional.of("a stale answer from a server that last heard from the leader " + answer.lastContact()
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

    /**
     * Whether a question to an endpoint the agent can cache (the health of a service) asks for
     * the cache ({@code ?cached}).
     *
     * @return whether to add {@code cached}
     */
    public boolean agentCache() {
        return consistency == Consistency.CACHED;
    }

    private static Consistency consistency(String name) {
        try {
            return Consistency.valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("consul.read.consistency must be cached, stale, default or consistent, not " + name);
        }
    }

    /**
     * Who answers a question.
     */
    public enum Consistency {
        /**
         * The agent's cache where Consul has one for the endpoint (the health of a service): one
         * background blocking query per agent and question, stale, whatever the number of watchers
         * on that agent; {@link #STALE} elsewhere.
         */
        CACHED("stale"),
        /** Any server, whether or not it is the leader; works without quorum. */
        STALE("stale"),
        /** The leader, as long as it believes it is one. */
        DEFAULT(null),
        /** The leader, after checking with a quorum that it still is. */
        CONSISTENT("consistent");

        // the query's flag for this mode; none for DEFAULT
        private final String flag;

        Consistency(String flag) {
            this.flag = flag;
        }

        private boolean stale() {
            return "stale".equals(flag);
        }
    }
}
