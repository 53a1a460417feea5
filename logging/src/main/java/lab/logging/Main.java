package lab.logging;

import io.helidon.logging.common.LogConfig;
import io.helidon.webserver.WebServer;
import io.opentelemetry.api.OpenTelemetry;
import lab.config.HazelcastConnection;
import lab.config.JsonErrors;
import lab.config.LabBootstrap;
import lab.config.LiveSettings;
import lab.observability.ServerTracing;
import lab.observability.Telemetry;

/**
 * The logging service: stores {@code {uuid, msg}} in a Hazelcast map and lists it.
 */
public final class Main {

    private Main() {
    }

    /**
     * Starts one instance: {@code java -jar logging.jar [--port N]}.
     *
     * @param args command line
     */
    public static void main(String[] args) {
        LogConfig.configureRuntime();
        LabBootstrap lab = LabBootstrap.create("logging-service", args);
        LiveSettings settings = lab.settings();
        OpenTelemetry telemetry = Telemetry.create("logging-service", lab.instanceId());
        HazelcastConnection hazelcast = HazelcastConnection.connect(
                settings.current(), lab.instanceId(),
                MemberStatusReporter.create(lab.settingsDocument(), () -> settings.current().hazelcastMembers()));
        MessageStore store = MessageStore.create(hazelcast.client(), () -> settings.current().mapName(),
                                                 HistoryConfig.create(lab.config().get("history")), telemetry);

        WebServer server = WebServer.builder()
                .config(lab.config().get("server"))
                .featuresDiscoverServices(false)
                .directHandlers(JsonErrors.directHandlers())
                .addFeature(lab.observe(hazelcast))
                .routing(routing -> JsonErrors.install(routing
                        .addFilter(ServerTracing.create(telemetry))
                        .register("/settings", lab.settingsService())
                        .register(settings.current().endpoints().logging(), LoggingService.create(store))))
                .build()
                .start();
        lab.register(server.port());
    }
}
