package lab.runtime;

import java.util.Locale;

import io.helidon.common.Weighted;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderValues;
import io.helidon.http.HttpException;
import io.helidon.http.Status;
import io.helidon.json.JsonObject;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.http.HttpFeature;
import io.helidon.webserver.http.HttpRouting;
import lab.json.Json;

/**
 * Every error a lab service sends is a small JSON object {@code {"error": "..."}}: unknown paths
 * and methods too, requests Helidon rejects itself (a malformed header in routing, a URI or header
 * too long before routing), and an unexpected exception never reaches the client as a stack trace.
 */
public final class JsonErrors {

    private static final System.Logger LOGGER = System.getLogger(JsonErrors.class.getName());

    private JsonErrors() {
    }

    /**
     * Adds the error handler and, behind every other route (features such as {@code /observe/health}
     * included), the JSON 404.
     *
     * @param routing routing
     * @return the same routing
     */
    public static HttpRouting.Builder install(HttpRouting.Builder routing) {
        return routing
                // Helidon's own 4xx, e.g. a malformed Content-Type when a handler reads it: not our 500.
                .error(HttpException.class, (req, res, error) -> {
                    if (error.status().code() >= 500) {
                        LOGGER.log(System.Logger.Level.WARNING, "Unexpected error on " + req.prologue().method().text()
                                + " " + req.path().path(), error);
                        res.status(Status.INTERNAL_SERVER_ERROR_500).send(error("internal error"));
                    } else {
                        res.status(error.status()).send(error(describe(error.status(), error.getMessage())));
                    }
                })
                .error(Exception.class, (req, res, error) -> {
                    LOGGER.log(System.Logger.Level.WARNING, "Unexpected error on " + req.prologue().method().text()
                            + " " + req.path().path(), error);
                    res.status(Status.INTERNAL_SERVER_ERROR_500).send(error("internal error"));
                })
                .addFeature(new NotFound());
    }

    /**
     * Handlers for what the server answers before any routing: a request line, URI or header it cannot
     * take (400, 414, 431, ...). Helidon's defaults send an empty or plain-text body; these send the
     * same status with a JSON error.
     *
     * @return direct handlers for {@code WebServer.builder().directHandlers(...)}
     */
    public static DirectHandlers directHandlers() {
        DirectHandler json = (request, eventType, status, headers, message) -> {
            String reason = eventType == DirectHandler.EventType.INTERNAL_ERROR
                    ? "internal error"
                    : describe(status, message);
            headers.set(HeaderValues.CONTENT_TYPE_JSON);
            return DirectHandler.TransportResponse.builder()
                    .status(status)
                    .headers(headers)
                    .entity(Json.bytes(error(reason)))
                    .build();
        };
        DirectHandlers.Builder handlers = DirectHandlers.builder();
        for (DirectHandler.EventType type : DirectHandler.EventType.values()) {
            handlers.addHandler(type, json);
        }
        return handlers.build();
    }

    // Helidon's message when it has one (it never carries a stack trace), else the status' reason.
    private static String describe(Status status, String message) {
        return message == null || message.isBlank() ? status.reasonPhrase().toLowerCase(Locale.ROOT) : message;
    }

    /**
     * The body of every error: {@code {"error": "..."}}.
     *
     * @param message what went wrong, for the client
     * @return JSON object
     */
    public static JsonObject error(String message) {
        return JsonObject.builder().set("error", message).build();
    }

    // A feature, not a plain route: features are set up after routes, in weight order, and this one weighs least.
    private static final class NotFound implements HttpFeature, Weighted {

        @Override
        public void setup(HttpRouting.Builder routing) {
            routing.any((req, res) -> res.status(Status.NOT_FOUND_404).send(
                    error("no such resource: " + req.prologue().method().text() + " " + req.path().path())));
        }

        @Override
        public double weight() {
            return 0.001;
        }
    }
}
