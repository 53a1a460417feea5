package lab.logging;

import java.time.Duration;

import io.helidon.config.Config;

/**
 * How logging keeps the list of messages ({@code history} in {@code application.yaml}).
 *
 * @param capacity      most messages the list keeps (the ringbuffer's size, fixed when it is created)
 * @param backups       synchronous backups of the list
 * @param staleness how long one read of the newest page serves the first pages asked for after it
 *                  (how much later another instance's new message may show on them)
 */
record HistoryConfig(int capacity, int backups, Duration staleness) {

    static HistoryConfig create(Config history) {
        return new HistoryConfig(history.get("capacity").asInt().get(),
                                 history.get("backups").asInt().get(),
                                 history.get("staleness").asString().map(Duration::parse).get());
    }
}
