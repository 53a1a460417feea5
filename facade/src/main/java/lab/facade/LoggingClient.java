package lab.facade;

import java.util.Optional;

import io.helidon.http.Method;
import io.helidon.http.Status;

/**
 * The facade's view of the logging service.
 */
final class LoggingClient {

    private final Downstream logging;

    private LoggingClient(Downstream logging) {
        this.logging = logging;
    }

    static LoggingClient create(Downstream logging) {
        return new LoggingClient(logging);
    }

    /**
     * Logs the message on one logging instance.
     *
     * @return the Consul id of the instance that stored it
     */
    String log(Message message) {
        return logging.exchange(Method.POST, message.json(), (instance, resendCount, response) -> {
            Status status = response.status();
            // A 409 on a retry means an earlier attempt stored it before its answer was lost.
            if (status == Status.CREATED_201 || (status == Status.CONFLICT_409 && resendCount > 0)) {
                // Read the answer (logging echoes the message) to its end: a large one comes chunked, and a
                // connection closed with a chunked body unread is not reused (and the server logs a broken pipe).
                response.entity().consume();
                return instance.id();
            }
            throw new Downstream.UnexpectedStatus(instance, status);
        });
    }

    /**
     * One page of the logged messages, from any logging instance: they all read the same history.
     *
     * @param limit  page size
     * @param cursor logging's cursor, empty for the newest messages
     * @return the page
     */
    Downstream.ListPage page(int limit, Optional<String> cursor) {
        return logging.page(limit, cursor);
    }
}
