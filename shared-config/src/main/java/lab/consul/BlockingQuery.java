package lab.consul;

import java.util.Optional;

import lab.consul.access.ConsulDenials;

/**
 * One Consul blocking query, asked again and again on its own virtual thread: the one loop behind
 * discovery ({@code HealthyInstances}) and the config watch ({@code ConsulWatcher}).
 * <ul>
 *     <li>each question carries the index of the last answer, so Consul answers at once when the
 *     data changed and after {@code wait} when it did not;</li>
 *     <li>an index that goes backwards means a new agent (a restarted {@code -dev} agent starts
 *     small again): the next question starts from 0, and the answer says so;</li>
 *     <li>an error keeps the last answer where it is (the caller's), backs off and asks again from
 *     index 0: the loop never dies while it is open; so does a stale answer further behind the
 *     leader than the {@link ReadMode} allows;</li>
 *     <li>after every answer it pauses for the read mode's {@code min-interval}, so a burst of
 *     changes is fetched once.</li>
 * </ul>
 *
 * @param <T> what Consul answers
 */
public final class BlockingQuery<T> implements AutoCloseable {

    private static final System.Logger LOGGER = System.getLogger(BlockingQuery.class.getName());

    private final String name;
    private final String right;
    private final ReadMode reads;
    private final Question<T> question;
    private final Listener<T> listener;
    private volatile boolean open = true;
    private final java.util.concurrent.atomic.LongAdder errors = new java.util.concurrent.atomic.LongAdder();
    private volatile long lastAnswer = System.nanoTime();
    private final Thread thread;

    private BlockingQuery(String name, String right, ReadMode reads, Question<T> question, Listener<T> listener) {
        this.name = name;
        this.right = right;
        this.reads = reads;
        this.question = question;
        this.listener = listener;
        this.thread = Thread.ofVirtual().name("consul-" + name).start(this::run);
    }

    /**
     * Starts asking.
     *
     * @param name     what is watched, for the thread's name and the log
     * @param right    the ACL right the question needs, named in the log when Consul denies it
     * @param reads    consistency, wait, pause between questions
     * @param question one question with the given query parameters
     * @param listener takes every answer
     * @param <T>      what Consul answers
     * @return the running query; close it to stop
     */
    public static <T> BlockingQuery<T> start(String name, String right, ReadMode reads, Question<T> question,
                                             Listener<T> listener) {
        return new BlockingQuery<>(name, right, reads, question, listener);
    }

    /**
     * Questions that failed (errors, refusals, answers too stale) since the start.
     *
     * @return count
     */
    public long errors() {
        return errors.sum();
    }

    /**
     * Time since Consul last answered (since the start, before the first answer).
     *
     * @return age of the last answer
     */
    public java.time.Duration sinceLastAnswer() {
        return java.time.Duration.ofNanos(System.nanoTime() - lastAnswer);
    }

    @Override
    public void close() {
        open = false;
        thread.interrupt();
    }

    private void run() {
        long index = 0;
        int failures = 0;
        while (open) {
            try {
                Answer<T> answer = question.ask(reads.params(index));
                Optional<String> tooStale = reads.tooStale(answer);
                if (tooStale.isPresent()) {
                    throw new IllegalStateException(tooStale.get());
                }
                // Consul's advice: an index of 0 (or none) is taken as 1, or every question returns at once.
                long returned = Math.max(1, answer.index());
                boolean newAgent = returned < index;
                if (failures > 0) {
                    LOGGER.log(System.Logger.Level.INFO, "Watch on " + name + " resumed");
                    ConsulDenials.allowed("watching " + name);
                }
                lastAnswer = System.nanoTime();
                listener.answered(answer.value(), returned != index, newAgent || failures > 0);
                failures = 0;
                index = newAgent ? 0 : returned;
                if (!reads.minInterval().isZero()) {
                    Thread.sleep(reads.minInterval());
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (!open) {
                    return;
                }
                failures++;
                errors.increment();
                // After an outage the agent may be a new one whose indexes start small again.
                index = 0;
                if (!ConsulDenials.denied(e, "watching " + name, right)) {
                    LOGGER.log(failures == 1 ? System.Logger.Level.WARNING : System.Logger.Level.DEBUG,
                               "Watch on " + name + " failed (" + ConsulErrors.describe(e) + "); keeping the last answer,"
                                       + " retrying with back-off");
                }
                if (!Backoff.sleep(failures)) {
                    return;
                }
            }
        }
    }

    /**
     * One question to Consul.
     *
     * @param <T> what Consul answers
     */
    @FunctionalInterface
    public interface Question<T> {
        /**
         * Asks once.
         *
         * @param query index, wait and consistency mode
         * @return Consul's answer with its index
         */
        Answer<T> ask(Query query);
    }

    /**
     * Takes the answers.
     *
     * @param <T> what Consul answers
     */
    @FunctionalInterface
    public interface Listener<T> {
        /**
         * One answer.
         *
         * @param value     what Consul answered
         * @param moved     whether the index moved since the last answer (the data may have changed)
         * @param recovered whether this is the first answer from a new agent or after an outage
         */
        void answered(T value, boolean moved, boolean recovered);
    }
}
