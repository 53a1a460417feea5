package lab.facade;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webclient.api.ClientResponseTyped;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import lab.consul.ConsulClients;
import lab.consul.discovery.HealthyInstances;
import lab.consul.discovery.Registrar;
import lab.consul.discovery.ServiceRegistration;
import lab.consul.discovery.TtlStatus;
import lab.observability.QueueTracing;
import lab.observability.testing.InMemoryTelemetry;
import lab.runtime.Cursor;
import lab.runtime.JsonErrors;
import lab.runtime.Page;
import lab.testing.ConsulAgent;
import lab.launcher.Eventually;
import lab.testing.FreePorts;
import lab.testing.HazelcastCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

/**
 * The facade against real Consul (discovery), real Hazelcast (queue) and real HTTP downstream
 * instances: a working logging instance, a dead one registered as passing, and a messages one.
 */
@ServerTest
class FacadeServiceTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ConsulAgent CONSUL = ConsulAgent.start();
    private static final HazelcastCluster CLUSTER = HazelcastCluster.start(1);
    private static final InMemoryTelemetry TELEMETRY = new InMemoryTelemetry();
    private static final List<String> LOGGED = new CopyOnWriteArrayList<>();
    private static final List<String> CURSORS_ASKED = new CopyOnWriteArrayList<>();
    private static final Cursor LOGGING_NEXT = new Cursor(Cursor.LOGGING, "history", "", 41);
    private static final Cursor MESSAGES_NEXT = new Cursor(Cursor.MESSAGES, "messages-live", "run-1", 7);
    // a page size the fake logging instance fails (500), so that no logging instance answers
    private static final int BROKEN_LIMIT = 7;
    private static final WebServer DOWNSTREAM = WebServer.builder()
            .routing(routing -> routing
                    .post("/logging", (req, res) -> {
                        LOGGED.add(req.content().as(String.class));
                        res.status(Status.CREATED_201).send();
                    })
                    .get("/logging", (req, res) -> {
                        if (req.query().first("limit").asOptional().equals(Optional.of(String.valueOf(BROKEN_LIMIT)))) {
                            res.status(Status.INTERNAL_SERVER_ERROR_500).send();
                            return;
                        }
                        page(req, res, "l", LOGGING_NEXT);
                    })
                    .get("/messages", (req, res) -> page(req, res, "m", MESSAGES_NEXT)))
            .build()
            .start();
    private static final int DEAD_PORT = FreePorts.next();
    private static final long REFUSED_POSITION = 13;
    private static final List<Registrar> REGISTRATIONS = List.of(
            register("logging-service", "logging-live", DOWNSTREAM.port()),
            register("logging-service", "logging-dead", DEAD_PORT),
            register("messages-service", "messages-live", DOWNSTREAM.port()));

    private final Http1Client client;

    FacadeServiceTest(Http1Client client) {
        this.client = client;
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        Http1Client http = Downstream.httpClient(TELEMETRY.openTelemetry());
        HealthyInstances logging = HealthyInstances.create(CONSUL.endpoint(), "logging-service");
        HealthyInstances messages = HealthyInstances.create(CONSUL.endpoint(), "messages-service");
        Eventually.await(Duration.ofSeconds(10), () -> logging.all().size() == 2 && messages.all().size() == 1,
                         "downstream instances discovered");
        JsonErrors.install(Main.routing(routing, TELEMETRY.openTelemetry(), "/facade", FacadeService.create(
                        QueueProducer.create(CLUSTER.member(), () -> "facade-queue", QueueTracing.create(TELEMETRY.openTelemetry())),
                        LoggingClient.create(Downstream.create(http, logging, () -> "/logging", TELEMETRY.openTelemetry())),
                        MessagesClient.create(Downstream.create(http, messages, () -> "/messages", TELEMETRY.openTelemetry())))));
    }

    @AfterAll
    static void stopEverything() {
        REGISTRATIONS.forEach(Registrar::close);
        DOWNSTREAM.stop();
        CLUSTER.close();
        CONSUL.close();
    }

    @BeforeEach
    void forgetEarlierRequests() {
        LOGGED.clear();
        CURSORS_ASKED.clear();
        CLUSTER.member().getQueue("facade-queue").clear();
        TELEMETRY.reset();
    }

    @Test
    void formPostIsQueuedAndLoggedWithOneUuid() {
        ClientResponseTyped<String> response = client.post("/facade")
                .contentType(MediaTypes.APPLICATION_FORM_URLENCODED)
                .submit("msg=hello+world", String.class);
        assertThat(response.entity(), response.status(), is(Status.CREATED_201));
        JsonNode answer = read(response.entity());
        String uuid = answer.get("uuid").asText();
        assertThat(answer.get("logged_by").asText(), is("logging-live"));
        assertThat(LOGGED, hasSize(1));
        assertThat(read(LOGGED.getFirst()).get("uuid").asText(), is(uuid));
        assertThat(read(LOGGED.getFirst()).get("msg").asText(), is("hello world"));

        JsonNode envelope = read((String) CLUSTER.member().getQueue("facade-queue").poll());
        assertThat(envelope.get("uuid").asText(), is(uuid));
        assertThat(envelope.get("msg").asText(), is("hello world"));
        SpanData server = TELEMETRY.await("SERVER", span -> span.getKind() == SpanKind.SERVER);
        SpanData send = TELEMETRY.await("send", span -> span.getName().equals("send facade-queue"));
        assertThat(send.getKind(), is(SpanKind.PRODUCER));
        assertThat(send.getParentSpanId(), is(server.getSpanId()));
        assertThat(envelope.get("traceparent").asText(),
                   startsWith("00-" + send.getTraceId() + "-" + send.getSpanId() + "-"));
    }

    @Test
    void jsonPostIsAccepted() {
        ClientResponseTyped<String> response = client.post("/facade")
                .contentType(MediaTypes.APPLICATION_JSON)
                .submit("{\"msg\": \"from json\"}", String.class);
        assertThat(response.entity(), response.status(), is(Status.CREATED_201));
        assertThat(read(LOGGED.getFirst()).get("msg").asText(), is("from json"));
    }

    @Test
    void badInputIsAClearJsonErrorAndNothingIsQueuedOrLogged() {
        Map<String, String> badJson = Map.of(
                "{\"msg\": \"\"}", "empty",
                "{\"msg\": 5}", "wrong type",
                "{\"text\": \"x\"}", "missing",
                "{\"msg\": ", "malformed",
                "[\"msg\"]", "not an object",
                "{\"msg\": \"\\q\"}", "a bad escape",
                "{\"msg\": " + "[".repeat(100_000), "nested past the parser's stack");
        badJson.forEach((body, why) -> assertBadRequest(why, MediaTypes.APPLICATION_JSON, body));
        assertBadRequest("empty form field", MediaTypes.APPLICATION_FORM_URLENCODED, "msg=");
        assertBadRequest("missing form field", MediaTypes.APPLICATION_FORM_URLENCODED, "text=hello");
        assertBadRequest("blank form field", MediaTypes.APPLICATION_FORM_URLENCODED, "msg=+++");

        ClientResponseTyped<String> text = client.post("/facade").contentType(MediaTypes.TEXT_PLAIN)
                .submit("hello", String.class);
        assertThat(text.status(), is(Status.UNSUPPORTED_MEDIA_TYPE_415));
        assertThat(text.entity(), containsString("\"error\""));
        assertThat(LOGGED, hasSize(0));
        assertThat(CLUSTER.member().getQueue("facade-queue").size(), is(0));
    }

    @Test
    void retriesOnAnotherInstanceAndNeverTheSameOneTwice() {
        for (int i = 0; i < 20; i++) {
            ClientResponseTyped<String> response = client.post("/facade")
                    .contentType(MediaTypes.APPLICATION_FORM_URLENCODED)
                    .submit("msg=retry-" + i, String.class);
            assertThat(response.entity(), response.status(), is(Status.CREATED_201));
        }
        assertThat(LOGGED, hasSize(20));
        // Counted by name: an earlier test's server span may end (and be exported) after the reset.
        TELEMETRY.await("20 POST server spans", span -> TELEMETRY.spans().stream()
                .filter(it -> it.getKind() == SpanKind.SERVER && it.getName().equals("POST /facade")).count() == 20);
        Map<String, List<SpanData>> attemptsPerTrace = TELEMETRY.spans().stream()
                .filter(span -> span.getKind() == SpanKind.CLIENT && span.getName().equals("POST"))
                .collect(Collectors.groupingBy(SpanData::getTraceId));
        Set<Integer> attemptCounts = new HashSet<>();
        attemptsPerTrace.values().forEach(attempts -> {
            Set<String> instances = attempts.stream()
                    .map(span -> span.getAttributes().get(AttributeKey.stringKey("lab.peer.service.id")))
                    .collect(Collectors.toSet());
            assertThat("no instance tried twice in one request", instances, hasSize(attempts.size()));
            attemptCounts.add(attempts.size());
            attempts.forEach(this::assertSemconvClientSpan);
        });
        assertThat("with a dead instance in 20 random picks, some request needed a retry", attemptCounts.contains(2),
                   is(true));
    }

    @Test
    void getAsksLoggingAndMessagesInOneTrace() {
        ClientResponseTyped<String> response = client.get("/facade").request(String.class);
        assertThat(response.status(), is(Status.OK_200));
        JsonNode both = read(response.entity());
        assertThat(both.get("logging").get(0).get("uuid").asText(), is("l-1"));
        assertThat(both.get("messages").get(0).get("uuid").asText(), is("m-1"));
        assertThat(both.get("next").get("logging").asText(), is(LOGGING_NEXT.encode()));
        assertThat(both.get("next").get("messages").asText(), is(MESSAGES_NEXT.encode()));
        assertThat(both.get("total").get("logging").asLong(), is(42L));
        assertThat(both.get("total").get("messages").asLong(), is(42L));

        SpanData server = TELEMETRY.await("SERVER", span -> span.getKind() == SpanKind.SERVER);
        SpanData logging = TELEMETRY.await("GET logging", span -> span.getKind() == SpanKind.CLIENT
                && span.getAttributes().get(AttributeKey.stringKey("url.full")).contains("/logging"));
        SpanData messages = TELEMETRY.await("GET messages", span -> span.getKind() == SpanKind.CLIENT
                && span.getAttributes().get(AttributeKey.stringKey("url.full")).contains("/messages"));
        // one asked on the request's thread, the other on a second one: both children of the request
        assertThat(logging.getParentSpanId(), is(server.getSpanId()));
        assertThat(messages.getTraceId(), is(server.getTraceId()));
        assertThat(messages.getParentSpanId(), is(server.getSpanId()));
        assertThat(messages.getAttributes().get(AttributeKey.stringKey("lab.peer.service.id")), is("messages-live"));
        assertThat(messages.getAttributes().get(AttributeKey.longKey("server.port")), is((long) DOWNSTREAM.port()));
    }

    @Test
    void theNextPagesComeFromTheCursorsAndAMessagesCursorGoesToItsInstance() {
        ClientResponseTyped<String> response = client.get("/facade").queryParam("limit", "5")
                .queryParam("logging_cursor", LOGGING_NEXT.encode())
                .queryParam("messages_cursor", MESSAGES_NEXT.encode())
                .request(String.class);
        assertThat(response.entity(), response.status(), is(Status.OK_200));
        JsonNode both = read(response.entity());
        assertThat(both.get("next").get("logging").isNull(), is(true));
        assertThat(both.get("next").get("messages").isNull(), is(true));
        assertThat(CURSORS_ASKED, containsInAnyOrder("l:5:" + LOGGING_NEXT.encode(), "m:5:" + MESSAGES_NEXT.encode()));
        SpanData messages = TELEMETRY.await("GET messages", span -> span.getKind() == SpanKind.CLIENT
                && span.getAttributes().get(AttributeKey.stringKey("url.full")).contains("/messages"));
        assertThat(messages.getAttributes().get(AttributeKey.stringKey("lab.peer.service.id")), is("messages-live"));
    }

    @Test
    void aMessagesCursorOfAnInstanceThatIsGoneSaysSo() {
        String orphan = new Cursor(Cursor.MESSAGES, "messages-killed", "run-1", 3).encode();
        ClientResponseTyped<String> response = client.get("/facade").queryParam("messages_cursor", orphan)
                .request(String.class);
        assertThat(response.status(), is(Status.GONE_410));
        assertThat(read(response.entity()).get("error").asText(),
                   allOf(startsWith("messages_cursor: "), containsString("messages-killed"), containsString("no longer passing")));
    }

    @Test
    void aGetNoLoggingInstanceAnswersIsAJsonServiceUnavailable() {
        ClientResponseTyped<String> response = client.get("/facade").queryParam("limit", String.valueOf(BROKEN_LIMIT))
                .request(String.class);
        assertThat(response.status(), is(Status.SERVICE_UNAVAILABLE_503));
        assertThat(read(response.entity()).get("error").asText(), containsString("logging-service"));
    }

    @Test
    void badLimitsAndCursorsAreJsonBadRequestsAndADownstreamsVerdictIsRelayed() {
        for (String[] query : new String[][] {{"limit", "none"}, {"limit", "0"}, {"limit", "-2"}, {"limit", "1001"},
                {"logging_cursor", "junk"}, {"messages_cursor", "junk"},
                {"logging_cursor", MESSAGES_NEXT.encode()}, {"messages_cursor", LOGGING_NEXT.encode()}}) {
            ClientResponseTyped<String> response = client.get("/facade").queryParam(query[0], query[1]).request(String.class);
            assertThat(query[0] + "=" + query[1], response.status(), is(Status.BAD_REQUEST_400));
            assertThat(read(response.entity()).get("error").asText(), containsString(query[0]));
        }
        assertThat("refused before any downstream call", CURSORS_ASKED, is(List.of()));
        ClientResponseTyped<String> refused = client.get("/facade")
                .queryParam("logging_cursor", new Cursor(Cursor.LOGGING, "history", "", REFUSED_POSITION).encode())
                .request(String.class);
        assertThat(refused.status(), is(Status.GONE_410));
        assertThat(read(refused.entity()).get("error").asText(), is("logging_cursor: dropped by retention"));
    }

    private void assertSemconvClientSpan(SpanData span) {
        assertThat(span.getAttributes().get(AttributeKey.stringKey("http.request.method")), is("POST"));
        assertThat(span.getAttributes().get(AttributeKey.stringKey("server.address")), is("127.0.0.1"));
        assertThat(span.getAttributes().get(AttributeKey.longKey("server.port")), notNullValue());
        assertThat(span.getAttributes().get(AttributeKey.stringKey("url.full")), containsString("/logging"));
        boolean dead = span.getAttributes().get(AttributeKey.longKey("server.port")) == DEAD_PORT;
        if (dead) {
            assertThat(span.getAttributes().get(AttributeKey.stringKey("error.type")), notNullValue());
            assertThat(span.getAttributes().get(AttributeKey.longKey("http.response.status_code")), nullValue());
        } else {
            assertThat(span.getAttributes().get(AttributeKey.stringKey("error.type")), nullValue());
            assertThat(span.getAttributes().get(AttributeKey.longKey("http.response.status_code")), is(201L));
        }
    }

    private void assertBadRequest(String why, io.helidon.common.media.type.MediaType type, String body) {
        ClientResponseTyped<String> response = client.post("/facade").contentType(type).submit(body, String.class);
        assertThat(why, response.status(), is(Status.BAD_REQUEST_400));
        assertThat(why, response.entity(), containsString("\"error\""));
    }

    // A stand-in list of 42 entries: the first page has one entry and a next link, a cursor's page is the last.
    private static void page(ServerRequest req, ServerResponse res, String list, Cursor next) {
        Optional<String> cursor = req.query().first("cursor").asOptional();
        cursor.ifPresent(token -> CURSORS_ASKED.add(list + ":" + req.query().get("limit") + ":" + token));
        res.headers().contentType(MediaTypes.APPLICATION_JSON);
        if (cursor.isPresent() && Cursor.decode(cursor.get(), "cursor", next.list()).position() == REFUSED_POSITION) {
            res.status(Status.GONE_410).send("{\"error\":\"dropped by retention\"}");
            return;
        }
        res.header(Page.TOTAL_COUNT, "42");
        if (cursor.isEmpty()) {
            res.header(HeaderNames.LINK, "<" + req.path().rawPath() + "?limit=1&cursor=" + next.encode() + ">; rel=\"next\"");
        }
        res.send("[{\"uuid\":\"" + list + "-1\",\"msg\":\"" + list + "\"}]");
    }

    private static Registrar register(String name, String id, int port) {
        ServiceRegistration registration = new ServiceRegistration(name, id, "127.0.0.1", port, Duration.ofSeconds(30),
                                                                   Duration.ofMinutes(1), Map.of(), List.of("lab"));
        return Registrar.create(ConsulClients.create(CONSUL.endpoint()), registration, () -> TtlStatus.PASSING).start();
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("Not JSON: " + json, e);
        }
    }
}
