package lab.facade;

import com.fasterxml.jackson.databind.JsonNode;
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
        return logging.exchange(Method.POST, message, (instance, resendCount, response) -> {
            Status status = response.status();
            // A 409 on a retry means an earlier attempt stored it before its answer was lost.
            if (status == Status.CREATED_201 || (status == Status.CONFLICT_409 && resendCount > 0)) {
                return instance.id();
            }
            throw new Downstream.UnexpectedStatus(instance, status);
        });
    }

    /**
     * Every logged message.
     *
     * @return JSON array of {@code {uuid, msg}}
     */
    JsonNode list() {
        return logging.list();
    }
}
