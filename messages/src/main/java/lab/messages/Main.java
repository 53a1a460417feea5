package lab.messages;

import io.helidon.logging.common.LogConfig;
import io.helidon.webserver.WebServer;
import io.opentelemetry.api.OpenTelemetry;
import lab.config.HazelcastConnection;
import lab.config.JsonErrors;
import lab.config.LabBootstrap;
import lab.config.LiveSettings;
import lab.observability.QueueTracing;
import lab.observability.ServerTracing;
import lab.observability.Telemetry;

/**
 * The messages service: consumes the Hazelcast queue and serves what this instance received.
 */
public final class Main {

    private Main() {
    }

    /**
     * Starts one instance: {@code java -jar messages.jar [--port N]}.
     *
     * @param args command line
     */
    public static void main(String[] args) {
        LogConfig.configureRuntime();
        LabBootstrap lab = LabBootstrap.create("messages-service", args);
        LiveSettings settings = lab.settings();
        OpenTelemetry telemetry = Telemetry.create("messages-service", lab.instanceId());
        HazelcastConnection hazelcast = HazelcastConnection.connect(settings.current(), lab.instanceId());
        ReceivedMessages received = ReceivedMessages.create(lab.instanceId(), settings.current().messagesRetention());
        settings.onChange(changed -> received.retain(changed.messagesRetention()));
        QueueConsumer.start(hazelcast.client(), () -> settings.current().queueName(),
                            new QueueTracing.Consumer("messages-service", lab.instanceId()),
                            QueueTracing.create(telemetry), received);

        WebServer server = WebServer.builder()
                .config(lab.config().get("server"))
                .featuresDiscoverServices(false)
                .directHandlers(JsonErrors.directHandlers())
                .addFeature(lab.observe(hazelcast))
                .routing(routing -> JsonErrors.install(routing
                        .addFilter(ServerTracing.create(telemetry))
                        .register("/settings", lab.settingsService())
                        .register(settings.current().endpoints().messages(), MessagesService.create(received))))
                .build()
                .start();
        lab.register(server.port());
    }
}
