package lab.consul;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The one back-off of every retry loop in the lab (Consul watches, start-up, check-and-set, the
 * queue consumer): 250 ms doubling up to 5 s, each pause drawn at random from its upper half, so
 * instances that failed together do not retry together.
 */
public final class Backoff {

    private static final Duration MAX = Duration.ofSeconds(5);

    private Backoff() {
    }

    /**
     * The longest pause after this many failures in a row.
     *
     * @param failures failures so far, 1 for the first
     * @return upper bound of the pause
     */
    static Duration delay(int failures) {
        long millis = 250L << Math.min(Math.max(failures - 1, 0), 5);
        return millis > MAX.toMillis() ? MAX : Duration.ofMillis(millis);
    }

    /**
     * A short random pause for check-and-set retries, so racing writers spread out.
     *
     * @param attempt attempts so far
     */
    static void sleepMillis(int attempt) {
        try {
            Thread.sleep(ThreadLocalRandom.current().nextInt(1, 5 + 5 * Math.min(attempt, 10)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Sleeps after this many failures in a row: between half and all of {@link #delay(int)}.
     *
     * @param failures failures so far, 1 for the first
     * @return {@code false} when interrupted
     */
    public static boolean sleep(int failures) {
        return sleep(failures, MAX);
    }

    /**
     * The same back-off with a lower ceiling, for a loop that work waits on (the queue consumer: a
     * consumer still backing off from its client's start-up must not sleep through the first messages).
     *
     * @param failures failures so far, 1 for the first
     * @param ceiling  longest pause
     * @return {@code false} when interrupted
     */
    public static boolean sleep(int failures, Duration ceiling) {
        long max = Math.min(delay(failures).toMillis(), ceiling.toMillis());
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(max / 2, max + 1));
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
