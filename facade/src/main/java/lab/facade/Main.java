package lab.facade;

import java.time.Duration;

import io.helidon.common.socket.SocketOptions;
import io.helidon.logging.common.LogConfig;
import io.helidon.webclient.api.WebClient;
import io.helidon.webserver.WebServer;
import io.opentelemetry.api.OpenTelemetry;
import lab.config.HazelcastConnection;
import lab.config.JsonErrors;
import lab.config.LabBootstrap;
import lab.config.LiveSettings;
import lab.observability.ClientTracing;
import lab.observability.QueueTracing;
import lab.observability.ServerTracing;
import lab.observability.Telemetry;

/**
 * The facade: takes messages from clients, queues them for messages, logs them in logging, and
 * answers with both lists.
 */
public final class Main {

    private Main() {
    }

    /**
     * Starts one instance: {@code java -jar facade.jar [--port N]}.
     *
     * @param args command line
     */
    public static void main(String[] args) {
        LogConfig.configureRuntime();
        LabBootstrap lab = LabBootstrap.create("facade-service", args);
        LiveSettings settings = lab.settings();
        OpenTelemetry telemetry = Telemetry.create("facade-service", lab.instanceId());
        HazelcastConnection hazelcast = HazelcastConnection.connect(settings.current(), lab.instanceId());

        // TCP_NODELAY: a request body sent after its headers (a message over ~8 KB) must not wait for
        // the logging instance's delayed ACK (+40 ms), as the servers' answers do not (application.yaml).
        WebClient http = WebClient.builder()
                .socketOptions(SocketOptions.builder().tcpNoDelay(true).build())
                .connectTimeout(Duration.ofSeconds(1))
                .readTimeout(Duration.ofSeconds(5))
                .addService(ClientTracing.create(telemetry))
                .build();
        FacadeService facade = FacadeService.create(
                QueueProducer.create(hazelcast.client(), () -> settings.current().queueName(),
                                     QueueTracing.create(telemetry)),
                LoggingClient.create(Downstream.create(http, lab.discover("logging-service"),
                                                       () -> settings.current().endpoints().logging())),
                MessagesClient.create(Downstream.create(http, lab.discover("messages-service"),
                                                        () -> settings.current().endpoints().messages())));

        WebServer server = WebServer.builder()
                .config(lab.config().get("server"))
                .featuresDiscoverServices(false)
                .directHandlers(JsonErrors.directHandlers())
                .addFeature(lab.observe(hazelcast))
                .routing(routing -> JsonErrors.install(routing
                        .addFilter(ServerTracing.create(telemetry))
                        .register("/settings", lab.settingsService())
                        .register(settings.current().endpoints().facade(), facade)))
                .build()
                .start();
        lab.register(server.port());
    }
}
