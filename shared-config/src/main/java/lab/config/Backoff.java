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
