package lab.messages;

import io.helidon.webserver.http.HttpRouting;
import io.opentelemetry.api.OpenTelemetry;
import lab.observability.QueueTracing;
import lab.observability.ServerTracing;
import lab.observability.Telemetry;
import lab.runtime.HazelcastConnection;
import lab.runtime.LabBootstrap;
import lab.runtime.LiveSettings;

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
        LabBootstrap lab = LabBootstrap.create("messages-service", args);
        LiveSettings settings = lab.settings();
        OpenTelemetry telemetry = Telemetry.create(lab.serviceName(), lab.instanceId());
        HazelcastConnection hazelcast = lab.hazelcast();
        ReceivedMessages received = ReceivedMessages.create(lab.instanceId(), settings.current().messagesRetention());
        settings.onChange(changed -> received.retain(changed.messagesRetention()));
        received.retain(settings.current().messagesRetention());  // a change that came before the listener
        QueueConsumer.start(hazelcast.client(), () -> settings.current().queueName(),
                            new QueueTracing.Consumer(lab.serviceName(), lab.instanceId()), QueueTracing.create(telemetry),
                            received);
        lab.serve(routing -> routing(routing, telemetry, settings.current().endpoints().messages(), received));
    }

    /**
     * The service's routes, traced: what {@code main} serves and the tests call.
     *
     * @param routing   routing to add to
     * @param telemetry OpenTelemetry SDK
     * @param path      the service's path ({@code api-endpoints.messages})
     * @param received  what this instance received
     * @return the same routing
     */
    static HttpRouting.Builder routing(HttpRouting.Builder routing, OpenTelemetry telemetry, String path,
                                       ReceivedMessages received) {
        return routing.addFilter(ServerTracing.create(telemetry)).register(path, MessagesService.create(received));
    }
}
