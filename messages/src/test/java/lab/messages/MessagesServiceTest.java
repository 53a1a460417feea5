package lab.messages;

import java.time.Duration;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webclient.api.ClientResponseTyped;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import lab.observability.QueueTracing;
import lab.observability.testing.InMemoryTelemetry;
import lab.runtime.Cursor;
import lab.runtime.JsonErrors;
import lab.runtime.Page;
import lab.launcher.Eventually;
import lab.testing.HazelcastCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

@ServerTest
class MessagesServiceTest {

    private static final String PRODUCER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String PRODUCER_SPAN = "00f067aa0ba902b7";
    private static final HazelcastCluster CLUSTER = HazelcastCluster.start(1);
    private static final InMemoryTelemetry TELEMETRY = new InMemoryTelemetry();
    private static final ReceivedMessages RECEIVED = ReceivedMessages.create("messages-test-1", 100);

    private final Http1Client client;

    MessagesServiceTest(Http1Client client) {
        this.client = client;
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        QueueConsumer.start(CLUSTER.member(), () -> "test-queue", new QueueTracing.Consumer("messages-service", "messages-test-1"),
                            QueueTracing.create(TELEMETRY.openTelemetry()), RECEIVED);
        JsonErrors.install(Main.routing(routing, TELEMETRY.openTelemetry(), "/messages", RECEIVED));
    }

    @AfterAll
    static void stopHazelcast() {
        CLUSTER.close();
    }

    @Test
    void consumesTheQueueSkipsMalformedEntriesAndServesWhatItReceived() {
        CLUSTER.member().getQueue("test-queue").offer("not an envelope");
        CLUSTER.member().getQueue("test-queue").offer("""
                {"uuid": "m-1", "msg": "hello", "traceparent": "00-%s-%s-01"}""".formatted(PRODUCER_TRACE, PRODUCER_SPAN));
        Eventually.await(Duration.ofSeconds(10), () -> client.get("/messages").requestEntity(String.class).contains("m-1"),
                         "message consumed and listed");
        assertThat(client.get("/messages").requestEntity(String.class), startsWith("[{\"uuid\":\"m-1\",\"msg\":\"hello\"}"));

        SpanData process = TELEMETRY.await("process", span -> span.getName().equals("process test-queue"));
        assertThat(process.getKind(), is(SpanKind.CONSUMER));
        assertThat(process.getLinks().getFirst().getSpanContext().getTraceId(), is(PRODUCER_TRACE));
        assertThat(process.getLinks().getFirst().getSpanContext().getSpanId(), is(PRODUCER_SPAN));
        assertThat(process.getAttributes().get(AttributeKey.stringKey("messaging.system")), is("hazelcast"));
        assertThat(process.getAttributes().get(AttributeKey.stringKey("messaging.destination.name")), is("test-queue"));
        assertThat(process.getAttributes().get(AttributeKey.stringKey("messaging.operation.type")), is("process"));
        assertThat(process.getAttributes().get(AttributeKey.stringKey("messaging.consumer.group.name")),
                   is("messages-service"));
        assertThat(process.getAttributes().get(AttributeKey.stringKey("messaging.client.id")), is("messages-test-1"));
        assertThat(process.getAttributes().get(AttributeKey.stringKey("messaging.operation.name")), is("poll"));
        assertThat(CLUSTER.member().getQueue("test-queue").size(), is(0));
        assertThat(client.get("/messages").requestEntity(String.class), not(containsString("not an envelope")));
    }

    @Test
    void pagesCarryTheNextLinkAndTheTotalAndBadQueriesAreJsonBadRequests() {
        for (int i = 0; i < 3; i++) {
            RECEIVED.add(new Message("p-" + i, "paged"));
        }
        ClientResponseTyped<String> first = client.get("/messages").queryParam("limit", "2").request(String.class);
        assertThat(first.entity(), startsWith("[{\"uuid\":\"p-2\""));
        String link = first.headers().first(HeaderNames.LINK).orElseThrow();
        assertThat(link, startsWith("</messages?limit=2&cursor="));
        long total = Long.parseLong(first.headers().first(Page.TOTAL_COUNT).orElseThrow());
        assertThat(total, greaterThanOrEqualTo(3L));
        ClientResponseTyped<String> second = client.get("/messages").queryParam("limit", "2")
                .queryParam("cursor", Page.nextCursor(link).orElseThrow()).request(String.class);
        assertThat(second.entity(), startsWith("[{\"uuid\":\"p-0\""));

        String loggingCursor = new Cursor(Cursor.LOGGING, "map-history", "", 0).encode();
        for (String[] query : new String[][] {{"limit", "x"}, {"limit", "0"}, {"limit", "-3"}, {"limit", "1001"},
                {"cursor", "not-a-cursor"}, {"cursor", loggingCursor}}) {
            ClientResponseTyped<String> response = client.get("/messages").queryParam(query[0], query[1])
                    .request(String.class);
            assertThat(query[0] + "=" + query[1], response.status(), is(Status.BAD_REQUEST_400));
            assertThat(response.entity(), startsWith("{\"error\":"));
        }
    }
}
