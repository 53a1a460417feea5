package lab.facade;

import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.common.parameters.Parameters;
import io.helidon.http.HttpMediaType;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import lab.config.Failover;
import lab.observability.TracedExecutors;

/**
 * {@code POST} takes a message (form field {@code msg} or JSON {@code {"msg": ...}}), queues it for
 * messages and logs it in logging; {@code GET} returns what logging and one messages instance hold.
 */
final class FacadeService implements HttpService {

    private static final System.Logger LOGGER = System.getLogger(FacadeService.class.getName());
    private static final int MAX_MESSAGE_LENGTH = 64 * 1024;

    private final QueueProducer queue;
    private final LoggingClient logging;
    private final MessagesClient messages;

    private FacadeService(QueueProducer queue, LoggingClient logging, MessagesClient messages) {
        this.queue = queue;
        this.logging = logging;
        this.messages = messages;
    }

    static FacadeService create(QueueProducer queue, LoggingClient logging, MessagesClient messages) {
        return new FacadeService(queue, logging, messages);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/", this::post)
                .get("/", this::get);
    }

    private void post(ServerRequest req, ServerResponse res) {
        Optional<HttpMediaType> type = req.headers().contentType();
        Optional<String> msg;
        if (type.map(it -> it.test(MediaTypes.APPLICATION_FORM_URLENCODED)).orElse(false)) {
            msg = formMessage(req);
        } else if (type.map(it -> it.test(MediaTypes.APPLICATION_JSON)).orElse(false)) {
            msg = jsonMessage(req);
        } else {
            error(res, Status.UNSUPPORTED_MEDIA_TYPE_415, "send a form field msg=... or JSON {\"msg\": \"...\"}");
            return;
        }
        if (msg.isEmpty()) {
            error(res, Status.BAD_REQUEST_400, "msg must be a non-empty string of at most " + MAX_MESSAGE_LENGTH
                    + " characters");
            return;
        }
        Message message = new Message(UUID.randomUUID().toString(), msg.get());
        try {
            if (!queue.offer(message)) {
                error(res, Status.SERVICE_UNAVAILABLE_503, "the message queue is full; try again");
                return;
            }
            String loggedBy = logging.log(message);
            res.status(Status.CREATED_201).send(Map.of("uuid", message.uuid(), "msg", message.msg(), "logged_by", loggedBy));
        } catch (Failover.UnavailableException e) {
            LOGGER.log(System.Logger.Level.WARNING, "Message " + message.uuid() + " queued but not logged: " + e.getMessage());
            error(res, Status.SERVICE_UNAVAILABLE_503, e.getMessage());
        } catch (RuntimeException e) {
            LOGGER.log(System.Logger.Level.WARNING, "Message " + message.uuid() + " not queued", e);
            error(res, Status.SERVICE_UNAVAILABLE_503, "the message queue is not reachable; try again");
        }
    }

    // The two lists come from independent services: ask both at once, so latency is the slower one.
    private void get(ServerRequest req, ServerResponse res) throws InterruptedException {
        try (ExecutorService calls = TracedExecutors.virtualThreadPerTask()) {
            Future<JsonNode> logged = calls.submit(logging::list);
            Future<JsonNode> received = calls.submit(messages::list);
            res.send(Map.of("logging", logged.get(), "messages", received.get()));
        } catch (ExecutionException e) {
            LOGGER.log(System.Logger.Level.WARNING, "GET failed", e.getCause());
            String reason = e.getCause() instanceof Failover.UnavailableException unavailable
                    ? unavailable.getMessage()
                    : "a downstream call failed";
            error(res, Status.SERVICE_UNAVAILABLE_503, reason);
        }
    }

    private static Optional<String> formMessage(ServerRequest req) {
        try {
            return valid(req.content().as(Parameters.class).first("msg").asOptional());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> jsonMessage(ServerRequest req) {
        try {
            JsonNode msg = req.content().as(JsonNode.class).get("msg");
            return msg != null && msg.isTextual() ? valid(Optional.of(msg.asText())) : Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> valid(Optional<String> msg) {
        return msg.filter(it -> !it.isBlank() && it.length() <= MAX_MESSAGE_LENGTH);
    }

    private static void error(ServerResponse res, Status status, String message) {
        res.status(status).send(Map.of("error", message));
    }
}
