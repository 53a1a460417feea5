package lab.runtime;

import io.helidon.json.JsonObject;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code GET /settings}: the lab settings this instance uses now, in {@code lab_settings}' own names,
 * with the Consul index they came from, so anyone can watch a change arrive. Never the ACL token.
 */
public final class SettingsService implements HttpService {

    private final LiveSettings settings;
    private final String instanceId;

    private SettingsService(LiveSettings settings, String instanceId) {
        this.settings = settings;
        this.instanceId = instanceId;
    }

    /**
     * The service for one instance.
     *
     * @param settings   live settings
     * @param instanceId Consul service id of this instance
     * @return service to register at {@code /settings}
     */
    public static SettingsService create(LiveSettings settings, String instanceId) {
        return new SettingsService(settings, instanceId);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::get);
    }

    private void get(ServerRequest req, ServerResponse res) {
        JsonObject.Builder body = JsonObject.builder()
                .set("instance", instanceId)
                .set("consul_index", settings.consulIndex());
        settings.problem().ifPresentOrElse(problem -> body.set("problem", problem), () -> body.setNull("problem"));
        res.send(body.from(settings.current().asDocument()).build());
    }
}
