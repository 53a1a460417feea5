package lab.config;

import java.time.Duration;

/**
 * Exponential back-off for loops that talk to Consul: 250 ms doubling up to 5 s.
 */
final class Backoff {

    private static final Duration MAX = Duration.ofSeconds(5);

    private Backoff() {
    }

    static Duration delay(int failures) {
        long millis = 250L << Math.min(Math.max(failures - 1, 0), 5);
        return millis > MAX.toMillis() ? MAX : Duration.ofMillis(millis);
    }

    /**
     * A short random pause for check-and-set retries, so racing writers spread out.
     */
    static void sleepMillis(int attempt) {
        try {
            Thread.sleep(java.util.concurrent.ThreadLocalRandom.current().nextInt(1, 5 + 5 * Math.min(attempt, 10)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Sleeps for the failure count's delay.
     *
     * @return {@code false} when interrupted
     */
    static boolean sleep(int failures) {
        try {
            Thread.sleep(delay(failures));
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
