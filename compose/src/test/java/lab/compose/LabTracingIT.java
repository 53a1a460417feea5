package lab.compose;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import lab.compose.OtlpReceiver.ReceivedSpan;
import lab.testing.ConsulAgent;
import lab.launcher.Eventually;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static lab.compose.LabHttp.get;
import static lab.compose.LabHttp.instanceUri;
import static lab.compose.LabHttp.read;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.isEmptyOrNullString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/**
 * Traces that show every hop, as an operator would see them in a tracing backend: the lab's
 * processes (Consul, a Hazelcast member, 1 facade, 2 logging, 1 messages instance from the built
 * jars) export their spans by OTLP http/protobuf to a receiver in this test, and one {@code POST}
 * and one {@code GET} through the facade must each come out as one connected trace, with the
 * queue's consumer linked to its producer.
 */
class LabTracingIT {

    // Spans are batched (every 100 ms here) and sent by each process on its own; allow for a slow CI machine.
    private static final Duration SPANS_ARRIVE = Duration.ofSeconds(20);
    private static final String QUEUE = "traced-queue";
    private static final String MAP = "traced-map";

    @RegisterExtension
    @Order(1)
    static final ConsulAgent consul = ConsulAgent.perClass();
    private static OtlpReceiver receiver;
    @RegisterExtension
    @Order(2)
    static final LabProcesses lab = new LabProcesses("tracing");

    @BeforeAll
    static void startTheLab() {
        receiver = OtlpReceiver.start();
        String cluster = "tracing-" + consul.httpPort();
        List<String> members = lab.startHazelcast(cluster, 1);
        consul.put("/v1/kv/lab_settings", LabProcesses.settings(cluster, members, QUEUE, MAP));
        Map<String, String> otel = Map.of(
                "OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint(),
                "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf",
                "OTEL_BSP_SCHEDULE_DELAY", "100");
        // Every GET reads the history, so each GET trace has its Hazelcast read span.
        Map<String, String> logging = new java.util.HashMap<>(otel);
        logging.put("HISTORY_STALENESS", "PT0S");
        lab.startServices(consul, Map.of("logging", logging, "messages", otel, "facade", otel), 1, 2, 1);
    }

    // Before the extensions stop the lab and Consul.
    @AfterAll
    static void stopTheReceiver() {
        if (receiver != null) {
            writeSpansForTheRecord();
            receiver.close();
        }
    }

    @Test
    void aPostIsOneTraceThroughLoggingAndTheQueueWhoseConsumerLinksToIt() {
        // Until the facade's discovery has seen a logging instance it answers 503; a retry is a new trace.
        JsonNode answer = read(Eventually.await(Duration.ofSeconds(20), () -> {
            HttpResponse<String> response = post(facade(), "msg=traced");
            return response.statusCode() == 201 ? response.body() : null;
        }, () -> "POST /facade answers 201" + lab.allLogTails()));
        String uuid = answer.get("uuid").asText();
        String loggedBy = answer.get("logged_by").asText();

        ReceivedSpan producer = await("facade PRODUCER span for message " + uuid,
                                      span -> span.kind() == SpanKind.SPAN_KIND_PRODUCER
                                              && uuid.equals(span.text("messaging.message.id")));
        String trace = producer.traceId();
        ReceivedSpan facade = await("facade SERVER span in trace " + trace,
                                    span -> span.traceId().equals(trace) && span.kind() == SpanKind.SPAN_KIND_SERVER
                                            && "facade-service".equals(span.serviceName()));
        ReceivedSpan client = await("CLIENT span to " + loggedBy + " in trace " + trace,
                                    span -> span.traceId().equals(trace) && span.kind() == SpanKind.SPAN_KIND_CLIENT
                                            && loggedBy.equals(span.text("lab.peer.service.id")));
        ReceivedSpan logging = await("logging SERVER span, child of " + client.spanId(),
                                     span -> span.kind() == SpanKind.SPAN_KIND_SERVER
                                             && span.parentSpanId().equals(client.spanId()));
        ReceivedSpan put = await("putIfAbsent span, child of " + logging.spanId(),
                                 span -> span.parentSpanId().equals(logging.spanId()) && span.name().startsWith("putIfAbsent"));
        ReceivedSpan append = await("history add span, child of " + logging.spanId(),
                                    span -> span.parentSpanId().equals(logging.spanId()) && span.name().startsWith("add "));
        ReceivedSpan consumer = await("CONSUMER span linked to " + producer.spanId(),
                                      span -> span.kind() == SpanKind.SPAN_KIND_CONSUMER
                                              && span.links().contains(trace + "/" + producer.spanId()));

        assertThat(facade.toString(), facade.serviceName(), is("facade-service"));
        assertThat(facade.toString(), facade.parentSpanId(), is(""));

        assertThat(producer.toString(), producer.name(), is("send " + QUEUE));
        assertThat(producer.toString(), producer.serviceName(), is("facade-service"));
        assertThat(producer.toString(), producer.parentSpanId(), is(facade.spanId()));

        assertThat(client.toString(), client.name(), is("POST"));
        assertThat(client.toString(), client.serviceName(), is("facade-service"));
        assertThat(client.toString(), client.parentSpanId(), is(facade.spanId()));
        assertThat(client.toString(), integer(client, "server.port"), is((long) portInConsul("logging-service", loggedBy)));
        assertThat(client.toString(), integer(client, "http.response.status_code"), is(201L));

        assertThat(logging.toString(), logging.traceId(), is(trace));
        assertThat(logging.toString(), logging.serviceName(), is("logging-service"));
        assertThat(logging.toString(), logging.instanceId(), is(loggedBy));
        assertThat(logging.toString(), integer(logging, "http.response.status_code"), is(201L));

        assertThat(put.toString(), put.name(), is("putIfAbsent " + MAP));
        assertThat(put.toString(), put.instanceId(), is(loggedBy));
        assertThat(append.toString(), append.name(), is("add " + MAP + "-history"));
        assertThat(append.toString(), append.kind(), is(SpanKind.SPAN_KIND_CLIENT));

        assertThat(consumer.toString(), consumer.name(), is("process " + QUEUE));
        assertThat(consumer.toString(), consumer.serviceName(), is("messages-service"));
        assertThat(consumer.toString(), consumer.instanceId(), is(instanceIdInConsul("messages-service")));
        assertThat(consumer.toString(), consumer.text("messaging.system"), is("hazelcast"));
        assertThat(consumer.toString(), consumer.text("messaging.destination.name"), is(QUEUE));
        assertThat(consumer.toString(), consumer.text("messaging.operation.type"), is("process"));
        assertThat(consumer.toString(), consumer.text("messaging.message.id"), is(uuid));

        everySpanIsWellFormed();
    }

    @Test
    void aGetIsOneTraceThroughLoggingAndMessages() {
        // scrapes and probes first: they must leave no span (checked once the GET's spans are in)
        for (int i = 0; i < 5; i++) {
            for (String path : List.of("/observe/metrics", "/observe/health/ready", "/observe/health/live")) {
                assertThat(path, get(facade().resolve(path)).statusCode(), is(200));
            }
        }
        Eventually.await(Duration.ofSeconds(20), () -> get(facade()).statusCode() == 200 ? Boolean.TRUE : null,
                         () -> "GET /facade answers 200" + lab.allLogTails());

        ReceivedSpan facade = await("facade SERVER span of a GET answered 200",
                                    span -> span.kind() == SpanKind.SPAN_KIND_SERVER
                                            && "facade-service".equals(span.serviceName())
                                            && "GET".equals(span.text("http.request.method"))
                                            && span.attribute("http.response.status_code")
                                                    .map(AnyValue::getIntValue).orElse(0L) == 200L);
        ReceivedSpan toLogging = await("CLIENT span to logging under " + facade.spanId(),
                                       span -> isAnsweredCallFrom(facade, span, "logging-service-"));
        ReceivedSpan toMessages = await("CLIENT span to messages under " + facade.spanId(),
                                        span -> isAnsweredCallFrom(facade, span, "messages-service-"));
        ReceivedSpan logging = await("logging SERVER span, child of " + toLogging.spanId(),
                                     span -> span.kind() == SpanKind.SPAN_KIND_SERVER
                                             && span.parentSpanId().equals(toLogging.spanId()));
        ReceivedSpan read = await("history read span, child of " + logging.spanId(),
                                  span -> span.parentSpanId().equals(logging.spanId()));
        ReceivedSpan messages = await("messages SERVER span, child of " + toMessages.spanId(),
                                      span -> span.kind() == SpanKind.SPAN_KIND_SERVER
                                              && span.parentSpanId().equals(toMessages.spanId()));

        for (ReceivedSpan client : List.of(toLogging, toMessages)) {
            assertThat(client.toString(), client.name(), is("GET"));
            assertThat(client.toString(), client.traceId(), is(facade.traceId()));
            assertThat(client.toString(), client.serviceName(), is("facade-service"));
        }
        assertThat(toMessages.toString(), integer(toMessages, "server.port"),
                   is((long) portInConsul("messages-service", toMessages.text("lab.peer.service.id"))));
        assertThat(toLogging.toString(), integer(toLogging, "server.port"),
                   is((long) portInConsul("logging-service", toLogging.text("lab.peer.service.id"))));

        assertThat(messages.toString(), messages.traceId(), is(facade.traceId()));
        assertThat(messages.toString(), messages.serviceName(), is("messages-service"));
        assertThat(messages.toString(), messages.instanceId(), is(toMessages.text("lab.peer.service.id")));
        assertThat(logging.toString(), logging.traceId(), is(facade.traceId()));
        assertThat(logging.toString(), logging.serviceName(), is("logging-service"));
        assertThat(logging.toString(), logging.instanceId(), is(toLogging.text("lab.peer.service.id")));
        assertThat(read.toString(), read.name(), is("readMany " + MAP + "-history"));
        assertThat(read.toString(), read.text("db.system.name"), is("hazelcast"));
        assertThat("no span for /observe/* (scrapes and probes are not traced)", receiver.spans().stream()
                .filter(span -> String.valueOf(span.text("url.path")).startsWith("/observe")
                        || String.valueOf(span.text("http.route")).startsWith("/observe")
                        || span.name().contains("/observe"))
                .map(ReceivedSpan::toString).toList(), is(List.of()));

        everySpanIsWellFormed();
    }

    // A backend groups by service.name and tells instances apart by service.instance.id; numeric
    // attributes must be ints there, or range queries like status >= 500 miss them.
    private static void everySpanIsWellFormed() {
        List<ReceivedSpan> spans = receiver.spans();
        assertThat(spans, not(is(List.of())));
        for (ReceivedSpan span : spans) {
            assertThat(span.toString(), span.serviceName(), not(isEmptyOrNullString()));
            assertThat(span.toString(), span.instanceId(), not(isEmptyOrNullString()));
            for (String key : List.of("http.response.status_code", "server.port")) {
                span.attribute(key).ifPresent(value -> assertThat(span + ": " + key + " is an int",
                                                                  value.hasIntValue(), is(true)));
            }
            if (span.kind() == SpanKind.SPAN_KIND_SERVER) {
                assertThat(span.toString(), span.attribute("http.response.status_code").isPresent(), is(true));
            }
            if (span.kind() == SpanKind.SPAN_KIND_CLIENT && span.attribute("http.request.method").isPresent()) {
                assertThat(span.toString(), span.attribute("server.port").isPresent(), is(true));
            }
        }
    }

    private static boolean isAnsweredCallFrom(ReceivedSpan parent, ReceivedSpan span, String peerPrefix) {
        String peer = span.text("lab.peer.service.id");
        return span.kind() == SpanKind.SPAN_KIND_CLIENT
                && span.parentSpanId().equals(parent.spanId())
                && peer != null && peer.startsWith(peerPrefix)
                && span.attribute("http.response.status_code").map(AnyValue::getIntValue).orElse(0L) == 200L;
    }

    private static ReceivedSpan await(String what, Predicate<ReceivedSpan> matcher) {
        return Eventually.await(SPANS_ARRIVE,
                                () -> receiver.spans().stream().filter(matcher).findFirst().orElse(null),
                                () -> what + "; received so far:\n" + receiver.spans().stream()
                                        .map(ReceivedSpan::toString).collect(Collectors.joining("\n")));
    }

    /**
     * An int attribute; fails when it is missing or of another type (e.g. a string "8081").
     */
    private static long integer(ReceivedSpan span, String key) {
        AnyValue value = span.attribute(key).orElseThrow(() -> new AssertionError(span + " has no " + key));
        assertThat(span + ": " + key + " is an int", value.hasIntValue(), is(true));
        return value.getIntValue();
    }

    private static int portInConsul(String service, String instanceId) {
        for (JsonNode entry : read(consul.get("/v1/catalog/service/" + service))) {
            if (entry.get("ServiceID").asText().equals(instanceId)) {
                return entry.get("ServicePort").asInt();
            }
        }
        throw new AssertionError(instanceId + " is not in Consul's catalog of " + service);
    }

    private static String instanceIdInConsul(String service) {
        List<JsonNode> instances = passing(service);
        assertThat(service + " instances", instances.size(), is(1));
        return instances.getFirst().get("Service").get("ID").asText();
    }

    private static void writeSpansForTheRecord() {
        try {
            Files.write(LabProcesses.REPO.resolve("compose/target/lab-logs/tracing/spans.txt"),
                        receiver.spans().stream().map(ReceivedSpan::toString).toList());
        } catch (IOException e) {
            System.err.println("Cannot write the received spans: " + e);
        }
    }

    private static URI facade() {
        return instanceUri(passing("facade-service").getFirst(), "/facade");
    }

    private static List<JsonNode> passing(String service) {
        return LabHttp.passing(consul, service);
    }

    private static HttpResponse<String> post(URI uri, String form) {
        return LabHttp.post(uri, LabHttp.FORM, form);
    }
}
