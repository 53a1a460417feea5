package lab.config;

import java.util.Map;

import io.helidon.common.Weighted;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpFeature;
import io.helidon.webserver.http.HttpRouting;

/**
 * Every error a lab service sends is a small JSON object {@code {"error": "..."}}: unknown paths
 * and methods too, and an unexpected exception never reaches the client as a stack trace.
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
                .error(Exception.class, (req, res, error) -> {
                    LOGGER.log(System.Logger.Level.WARNING, "Unexpected error on " + req.prologue().method().text()
                            + " " + req.path().path(), error);
                    res.status(Status.INTERNAL_SERVER_ERROR_500).send(Map.of("error", "internal error"));
                })
                .addFeature(new NotFound());
    }

    // A feature, not a plain route: features are set up after routes, in weight order, and this one weighs least.
    private static final class NotFound implements HttpFeature, Weighted {

        @Override
        public void setup(HttpRouting.Builder routing) {
            routing.any((req, res) -> res.status(Status.NOT_FOUND_404).send(Map.of(
                    "error", "no such resource: " + req.prologue().method().text() + " " + req.path().path())));
        }

        @Override
        public double weight() {
            return 0.001;
        }
    }
}
