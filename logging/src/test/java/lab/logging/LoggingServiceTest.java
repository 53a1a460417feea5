package lab.logging;

import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.Status;
import io.helidon.webclient.api.ClientResponseTyped;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import lab.observability.ServerTracing;
import lab.observability.testing.InMemoryTelemetry;
import lab.testing.HazelcastCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

@ServerTest
class LoggingServiceTest {

    private static final HazelcastCluster CLUSTER = HazelcastCluster.start(1);
    private static final InMemoryTelemetry TELEMETRY = new InMemoryTelemetry();

    private final Http1Client client;

    LoggingServiceTest(Http1Client client) {
        this.client = client;
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        routing.addFilter(ServerTracing.create(TELEMETRY.openTelemetry()))
                .register("/logging", LoggingService.create(
                        MessageStore.create(CLUSTER.member(), () -> "test-map", TELEMETRY.openTelemetry())));
    }

    @AfterAll
    static void stopHazelcast() {
        CLUSTER.close();
    }

    @Test
    void storesOnceAndRejectsTheSameUuidAgain() {
        String body = "{\"uuid\": \"u-1\", \"msg\": \"hello\"}";
        assertThat(post(body).status(), is(Status.CREATED_201));
        ClientResponseTyped<String> again = post(body);
        assertThat(again.status(), is(Status.CONFLICT_409));
        assertThat(again.entity(), containsString("already logged"));
        assertThat(CLUSTER.member().getMap("test-map").get("u-1"), is("hello"));
        assertThat(client.get("/logging").requestEntity(String.class), containsString("{\"uuid\":\"u-1\",\"msg\":\"hello\"}"));
    }

    @Test
    void rejectsBadInputWithAJsonErrorAndStoresNothing() {
        int before = CLUSTER.member().getMap("test-map").size();
        for (String body : new String[] {"{\"msg\": \"no uuid\"}", "{\"uuid\": \"u-2\"}", "{\"uuid\": 5, \"msg\": \"x\"}",
                "{\"uuid\": \"u-3\", \"msg\": \"\"}", "not json", "[]"}) {
            ClientResponseTyped<String> response = post(body);
            assertThat(body, response.status(), is(Status.BAD_REQUEST_400));
            assertThat(response.entity(), containsString("\"error\""));
        }
        ClientResponseTyped<String> text = client.post("/logging").contentType(MediaTypes.TEXT_PLAIN)
                .submit("uuid=u-4", String.class);
        assertThat(text.status(), is(Status.UNSUPPORTED_MEDIA_TYPE_415));
        assertThat(CLUSTER.member().getMap("test-map").size(), is(before));
    }

    @Test
    void tracesTheRequestAndTheMapPut() {
        TELEMETRY.reset();
        post("{\"uuid\": \"u-traced\", \"msg\": \"hi\"}");
        SpanData put = TELEMETRY.await("putIfAbsent", span -> span.getName().equals("putIfAbsent test-map"));
        SpanData server = TELEMETRY.await("SERVER", span -> span.getKind() == SpanKind.SERVER);
        assertThat(put.getParentSpanId(), is(server.getSpanId()));
        assertThat(put.getAttributes().get(AttributeKey.stringKey("db.system.name")), is("hazelcast"));
        assertThat(server.getAttributes().get(AttributeKey.longKey("http.response.status_code")), is(201L));
        assertThat(server.getAttributes().get(AttributeKey.stringKey("http.request.method")), is("POST"));
        assertThat(server.getAttributes().get(AttributeKey.stringKey("url.path")), is("/logging"));
        assertThat(server.getAttributes().get(AttributeKey.stringKey("http.route")), is("/logging"));
        assertThat(server.getName(), is("POST /logging"));
        assertThat(server.getAttributes().get(AttributeKey.stringKey("url.scheme")), is("http"));
        assertThat(server.getAttributes().get(AttributeKey.longKey("server.port")), org.hamcrest.Matchers.notNullValue());
    }

    private ClientResponseTyped<String> post(String body) {
        return client.post("/logging").contentType(MediaTypes.APPLICATION_JSON).submit(body, String.class);
    }
}
