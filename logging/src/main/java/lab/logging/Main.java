package lab.logging;

import io.helidon.webserver.http.HttpRouting;
import io.opentelemetry.api.OpenTelemetry;
import lab.observability.ServerMetrics;
import lab.observability.ServerTracing;
import lab.runtime.HazelcastConnection;
import lab.runtime.LabBootstrap;

/**
 * The logging service: stores {@code {uuid, msg}} in Hazelcast and lists it a page at a time.
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
        LabBootstrap lab = LabBootstrap.create("logging-service", args);
        OpenTelemetry telemetry = lab.telemetry().openTelemetry();
        HazelcastConnection hazelcast = lab.hazelcast(MemberStatusReporter.create(
                lab.document(MemberStatusReporter.KEY), () -> lab.settings().current().hazelcastMembers()));
        MessageStore store = MessageStore.create(hazelcast.client(), () -> lab.settings().current().mapName(),
                                                 HistoryConfig.create(lab.config().get("history")), telemetry);
        lab.serve(routing -> routing(routing, telemetry, lab.settings().current().endpoints().logging(), store));
    }

    /**
     * The service's routes, traced and measured: what {@code main} serves and the tests call.
     *
     * @param routing   routing to add to
     * @param telemetry OpenTelemetry SDK
     * @param path      the service's path ({@code api-endpoints.logging})
     * @param store     the messages
     * @return the same routing
     */
    static HttpRouting.Builder routing(HttpRouting.Builder routing, OpenTelemetry telemetry, String path,
                                       MessageStore store) {
        return routing.addFilter(ServerTracing.create(telemetry)).addFilter(ServerMetrics.create(telemetry)).register(path, LoggingService.create(store));
    }
}
