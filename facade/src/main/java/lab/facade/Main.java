package lab.facade;

import io.helidon.webclient.http1.Http1Client;
import io.helidon.webserver.http.HttpRouting;
import io.opentelemetry.api.OpenTelemetry;
import lab.observability.QueueTracing;
import lab.observability.ServerMetrics;
import lab.observability.ServerTracing;
import lab.runtime.HazelcastConnection;
import lab.runtime.LabBootstrap;
import lab.runtime.LiveSettings;

/**
 * The facade: takes messages from clients, queues them for messages, logs them in logging, and
 * answers with a page of both lists.
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
        LabBootstrap lab = LabBootstrap.create("facade-service", args);
        LiveSettings settings = lab.settings();
        OpenTelemetry telemetry = lab.telemetry().openTelemetry();
        HazelcastConnection hazelcast = lab.hazelcast();
        Http1Client http = Downstream.httpClient(telemetry);
        FacadeService facade = FacadeService.create(
                QueueProducer.create(hazelcast.client(), () -> settings.current().queueName(), QueueTracing.create(telemetry)),
                LoggingClient.create(Downstream.create(http, lab.discover("logging-service"),
                                                       () -> settings.current().endpoints().logging(), telemetry)),
                MessagesClient.create(Downstream.create(http, lab.discover("messages-service"),
                                                        () -> settings.current().endpoints().messages(), telemetry)));
        lab.serve(routing -> routing(routing, telemetry, settings.current().endpoints().facade(), facade));
    }

    /**
     * The service's routes, traced and measured: what {@code main} serves and the tests call.
     *
     * @param routing   routing to add to
     * @param telemetry OpenTelemetry SDK
     * @param path      the service's path ({@code api-endpoints.facade})
     * @param facade    the facade
     * @return the same routing
     */
    static HttpRouting.Builder routing(HttpRouting.Builder routing, OpenTelemetry telemetry, String path,
                                       FacadeService facade) {
        return routing.addFilter(ServerTracing.create(telemetry)).addFilter(ServerMetrics.create(telemetry)).register(path, facade);
    }
}
