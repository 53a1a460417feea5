package lab.messages;

import java.util.function.Supplier;

import io.helidon.webserver.http.HttpRouting;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import lab.observability.QueueTracing;
import lab.observability.ServerMetrics;
import lab.observability.ServerTracing;
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
        OpenTelemetry telemetry = lab.telemetry().openTelemetry();
        HazelcastConnection hazelcast = lab.hazelcast();
        ReceivedMessages received = ReceivedMessages.create(lab.instanceId(), settings.current().messagesRetention());
        settings.onChange(changed -> received.retain(changed.messagesRetention()));
        received.retain(settings.current().messagesRetention());  // a change that came before the listener
        QueueConsumer.start(hazelcast.client(), () -> settings.current().queueName(),
                            new QueueTracing.Consumer(lab.serviceName(), lab.instanceId()), QueueTracing.create(telemetry),
                            received);
        queueSize(telemetry, hazelcast, () -> settings.current().queueName());
        lab.serve(routing -> routing(routing, telemetry, settings.current().endpoints().messages(), received));
    }

    // The consumers' lag: what waits in the queue, asked of Hazelcast when scraped (not while disconnected).
    private static void queueSize(OpenTelemetry telemetry, HazelcastConnection hazelcast, Supplier<String> queueName) {
        telemetry.getMeter("lab.messages").gaugeBuilder("lab.queue.size").ofLongs().setUnit("{message}")
                .setDescription("Messages waiting in the queue: the consumers' lag")
                .buildWithCallback(gauge -> {
                    if (hazelcast.connected()) {
                        String name = queueName.get();
                        gauge.record(hazelcast.client().getQueue(name).size(),
                                     Attributes.of(AttributeKey.stringKey("messaging.destination.name"), name));
                    }
                });
    }

    /**
     * The service's routes, traced and measured: what {@code main} serves and the tests call.
     *
     * @param routing   routing to add to
     * @param telemetry OpenTelemetry SDK
     * @param path      the service's path ({@code api-endpoints.messages})
     * @param received  what this instance received
     * @return the same routing
     */
    static HttpRouting.Builder routing(HttpRouting.Builder routing, OpenTelemetry telemetry, String path,
                                       ReceivedMessages received) {
        return routing.addFilter(ServerTracing.create(telemetry)).addFilter(ServerMetrics.create(telemetry)).register(path, MessagesService.create(received));
    }
}
