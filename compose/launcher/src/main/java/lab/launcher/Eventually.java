package lab.launcher;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Polls until a condition holds: for things that happen asynchronously (a heartbeat, a watch).
 */
public final class Eventually {

    private Eventually() {
    }

    /**
     * Waits until {@code condition} is true.
     *
     * @param timeout   how long to wait
     * @param condition what must become true
     * @param what      description for the failure message
     */
    public static void await(Duration timeout, BooleanSupplier condition, String what) {
        await(timeout, condition, () -> what);
    }

    /**
     * Waits until {@code condition} is true. (Without this overload a boolean condition with a
     * described failure would be a {@code Supplier<Boolean>} whose {@code false}, not being null,
     * ends the wait at once.)
     *
     * @param timeout   how long to wait
     * @param condition what must become true
     * @param what      description for the failure message, made when it fails
     */
    public static void await(Duration timeout, BooleanSupplier condition, Supplier<String> what) {
        await(timeout, () -> condition.getAsBoolean() ? Boolean.TRUE : null, what);
    }

    /**
     * Waits until {@code value} returns non-null and returns it.
     *
     * @param timeout how long to wait
     * @param value   returns null while not there yet; exceptions count as "not yet", but
     *                {@link GiveUp}, which ends the wait at once
     * @param what    description for the failure message
     * @param <T>     value type
     * @return the value
     */
    public static <T> T await(Duration timeout, Supplier<T> value, Supplier<String> what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        RuntimeException last = null;
        while (true) {
            try {
                T result = value.get();
                if (result != null) {
                    return result;
                }
            } catch (GiveUp e) {
                throw e;
            } catch (RuntimeException e) {
                last = e;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Not within " + timeout + ": " + what.get(), last);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("Interrupted waiting for " + what.get(), e);
            }
        }
    }

    /**
     * Thrown by a condition that can no longer become true (the process it waits for has ended):
     * the wait ends at once with it.
     */
    public static final class GiveUp extends RuntimeException {

        /**
         * @param message what happened
         */
        public GiveUp(String message) {
            super(message);
        }
    }
}
