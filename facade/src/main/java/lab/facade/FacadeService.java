package lab.facade;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

import io.helidon.common.media.type.MediaTypes;
import io.helidon.common.parameters.Parameters;
import io.helidon.http.HttpMediaType;
import io.helidon.http.Status;
import io.helidon.json.JsonException;
import io.helidon.json.JsonObject;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import lab.consul.discovery.Failover;
import lab.json.Json;
import lab.observability.TracedExecutors;
import lab.runtime.Cursor;
import lab.runtime.JsonErrors;
import lab.runtime.Paging;

/**
 * {@code POST} takes a message (form field {@code msg} or JSON {@code {"msg": ...}}), queues it for
 * messages and logs it in logging; {@code GET} returns a page of what logging and one messages
 * instance hold ({@code ?limit=N&logging_cursor=C&messages_cursor=D}), newest first.
 */
final class FacadeService implements HttpService {

    private static final System.Logger LOGGER = System.getLogger(FacadeService.class.getName());
    private static final int MAX_MESSAGE_LENGTH = 64 * 1024;
    private static final String LOGGING_CURSOR = "logging_cursor";
    private static final String MESSAGES_CURSOR = "messages_cursor";

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
            res.status(Status.CREATED_201).send(JsonObject.builder().from(message.json()).set("logged_by", loggedBy).build());
        } catch (Failover.UnavailableException e) {
            LOGGER.log(System.Logger.Level.WARNING, "Message " + message.uuid() + " queued but not logged: " + e.getMessage()
                    + " " + e.reasons());
            error(res, Status.SERVICE_UNAVAILABLE_503, e.getMessage());
        } catch (RuntimeException e) {
            LOGGER.log(System.Logger.Level.WARNING, "Message " + message.uuid() + " not queued", e);
            error(res, Status.SERVICE_UNAVAILABLE_503, "the message queue is not reachable; try again");
        }
    }

    // The two lists come from independent services: ask both at once, so latency is the slower one. The
    // messages page is asked on a second thread and the logging page on this one: a thread and a park fewer per
    // request than one thread each (a parked virtual thread's stack is copied to the heap). Their pages are
    // spliced into the answer as they came: the facade parses no list.
    private void get(ServerRequest req, ServerResponse res) throws InterruptedException {
        int limit = Paging.limit(req);
        Optional<String> loggingCursor = req.query().first(LOGGING_CURSOR).asOptional();
        // Checked here too, so a cursor of the wrong list is a 400 before any downstream call.
        loggingCursor.ifPresent(token -> Cursor.decode(token, LOGGING_CURSOR, Cursor.LOGGING));
        Optional<Cursor> messagesCursor = Paging.cursor(req, MESSAGES_CURSOR, Cursor.MESSAGES);
        Downstream.ListPage loggingPage;
        Downstream.ListPage messagesPage;
        try (ExecutorService calls = TracedExecutors.virtualThreadPerTask()) {
            Future<Downstream.ListPage> received = calls.submit(() -> messages.page(limit, messagesCursor));
            try {
                loggingPage = logging.page(limit, loggingCursor);
            } catch (RuntimeException e) {
                // The answer is decided: the messages call must not hold this request, and its span, open.
                received.cancel(true);
                failed(res, e);
                return;
            }
            messagesPage = received.get();
        } catch (ExecutionException e) {
            failed(res, e.getCause());
            return;
        }
        if (loggingPage.status() != Status.OK_200) {
            relay(res, LOGGING_CURSOR, loggingPage);
        } else if (messagesPage.status() != Status.OK_200) {
            relay(res, MESSAGES_CURSOR, messagesPage);
        } else {
            res.headers().contentType(MediaTypes.APPLICATION_JSON);
            res.send(both(loggingPage, messagesPage));
        }
    }

    private static void failed(ServerResponse res, Throwable cause) {
        if (cause instanceof Downstream.InstanceGone gone) {
            error(res, Status.GONE_410, MESSAGES_CURSOR + ": " + gone.getMessage());
            return;
        }
        LOGGER.log(System.Logger.Level.WARNING, "GET failed", cause);
        String reason = cause instanceof Failover.UnavailableException unavailable
                ? unavailable.getMessage()
                : "a downstream call failed";
        error(res, Status.SERVICE_UNAVAILABLE_503, reason);
    }

    // {"logging": [...], "messages": [...], "next": {...}, "total": {...}}; cursors are base64url, safe as they are.
    // Built in one array of its final size.
    private static byte[] both(Downstream.ListPage logging, Downstream.ListPage messages) {
        byte[] head = "{\"logging\":".getBytes(StandardCharsets.UTF_8);
        byte[] middle = ",\"messages\":".getBytes(StandardCharsets.UTF_8);
        byte[] tail = (",\"next\":{\"logging\":" + quoted(logging.next()) + ",\"messages\":" + quoted(messages.next())
                + "},\"total\":{\"logging\":" + logging.total() + ",\"messages\":" + messages.total() + "}}")
                .getBytes(StandardCharsets.UTF_8);
        byte[] answer = new byte[head.length + logging.body().length + middle.length + messages.body().length + tail.length];
        int at = 0;
        for (byte[] part : new byte[][] {head, logging.body(), middle, messages.body(), tail}) {
            System.arraycopy(part, 0, answer, at, part.length);
            at += part.length;
        }
        return answer;
    }

    private static String quoted(Optional<String> cursor) {
        return cursor.map(token -> "\"" + token + "\"").orElse("null");
    }

    // A downstream's 400/410 about a cursor, with the facade's name of the parameter it came in.
    private static void relay(ServerResponse res, String param, Downstream.ListPage refused) {
        String reason;
        try {
            reason = Json.text(Json.object(refused.body()), "error").orElse("the cursor was refused");
        } catch (JsonException e) {
            reason = "the cursor was refused";
        }
        error(res, refused.status(), param + ": " + reason);
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
            return valid(Json.text(Json.object(req.content().as(byte[].class)), "msg"));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> valid(Optional<String> msg) {
        return msg.filter(it -> !it.isBlank() && it.length() <= MAX_MESSAGE_LENGTH);
    }

    private static void error(ServerResponse res, Status status, String message) {
        res.status(status).send(JsonErrors.error(message));
    }
}
