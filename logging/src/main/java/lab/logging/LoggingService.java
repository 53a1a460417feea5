package lab.logging;

import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import lab.runtime.Cursor;
import lab.runtime.Paging;

/**
 * {@code POST} stores {@code {uuid, msg}} (201, or 409 when the uuid is taken); {@code GET} lists
 * the logged messages a page at a time, newest first ({@code ?limit=N&cursor=C}).
 */
final class LoggingService implements HttpService {

    private static final int MAX_FIELD_LENGTH = 64 * 1024;

    private final MessageStore store;

    private LoggingService(MessageStore store) {
        this.store = store;
    }

    static LoggingService create(MessageStore store) {
        return new LoggingService(store);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/", this::store)
                .get("/", this::list);
    }

    private void store(ServerRequest req, ServerResponse res) {
        if (!req.headers().contentType().map(type -> type.test(MediaTypes.APPLICATION_JSON)).orElse(false)) {
            error(res, Status.UNSUPPORTED_MEDIA_TYPE_415, "send application/json: {\"uuid\": \"...\", \"msg\": \"...\"}");
            return;
        }
        JsonNode body;
        try {
            body = req.content().as(JsonNode.class);
        } catch (RuntimeException e) {
            error(res, Status.BAD_REQUEST_400, "body is not valid JSON");
            return;
        }
        String uuid = text(body, "uuid");
        String msg = text(body, "msg");
        if (uuid == null || msg == null) {
            error(res, Status.BAD_REQUEST_400, "uuid and msg must be non-empty strings of at most " + MAX_FIELD_LENGTH
                    + " characters");
            return;
        }
        Message message = new Message(uuid, msg);
        if (store.storeIfAbsent(message)) {
            res.status(Status.CREATED_201).send(message);
        } else {
            res.status(Status.CONFLICT_409).send(Map.of("error", "a message with this uuid is already logged", "uuid", uuid));
        }
    }

    private void list(ServerRequest req, ServerResponse res) {
        int limit = Paging.limit(req);
        store.page(limit, Paging.cursor(req, "cursor", Cursor.LOGGING)).send(req, res, limit);
    }

    private static String text(JsonNode body, String field) {
        JsonNode value = body == null ? null : body.get(field);
        if (value == null || !value.isTextual() || value.asText().isBlank() || value.asText().length() > MAX_FIELD_LENGTH) {
            return null;
        }
        return value.asText();
    }

    private static void error(ServerResponse res, Status status, String message) {
        res.status(status).send(Map.of("error", message));
    }
}
