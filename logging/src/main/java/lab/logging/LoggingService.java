package lab.logging;

import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.Status;
import io.helidon.json.JsonObject;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import lab.json.Json;
import lab.runtime.Cursor;
import lab.runtime.JsonErrors;
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
        JsonObject body;
        try {
            body = Json.object(req.content().as(byte[].class));
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
            res.status(Status.CREATED_201).send(message.json());
        } else {
            res.status(Status.CONFLICT_409).send(JsonObject.builder()
                                                          .set("error", "a message with this uuid is already logged")
                                                          .set("uuid", uuid)
                                                          .build());
        }
    }

    private void list(ServerRequest req, ServerResponse res) {
        int limit = Paging.limit(req);
        store.page(limit, Paging.cursor(req, "cursor", Cursor.LOGGING)).send(req, res, limit);
    }

    private static String text(JsonObject body, String field) {
        return Json.text(body, field)
                .filter(value -> !value.isBlank() && value.length() <= MAX_FIELD_LENGTH)
                .orElse(null);
    }

    private static void error(ServerResponse res, Status status, String message) {
        res.status(status).send(JsonErrors.error(message));
    }
}
