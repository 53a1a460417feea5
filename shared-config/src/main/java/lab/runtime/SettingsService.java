package lab.runtime;

import java.util.LinkedHashMap;
import java.util.Map;

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
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("instance", instanceId);
        body.put("consul_index", settings.consulIndex());
        body.put("problem", settings.problem().orElse(null));
        body.putAll(settings.current().asDocument());
        res.send(body);
    }
}
