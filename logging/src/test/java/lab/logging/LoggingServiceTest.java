package lab.logging;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.common.media.type.MediaTypes;
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
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

@ServerTest
class LoggingServiceTest {

    private static final HazelcastCluster CLUSTER = HazelcastCluster.start(1);
    private static final InMemoryTelemetry TELEMETRY = new InMemoryTelemetry();
    private static final int SMALL_CAPACITY = 5;
    private static final Duration STALENESS = Duration.ofMillis(50);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Http1Client client;

    LoggingServiceTest(Http1Client client) {
        this.client = client;
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        MessageStore store = MessageStore.create(CLUSTER.member(), () -> "test-map",
                                                 new HistoryConfig(100_000, 2, STALENESS), TELEMETRY.openTelemetry());
        JsonErrors.install(Main.routing(routing, TELEMETRY.openTelemetry(), "/logging", store)
                .register("/small", LoggingService.create(
                        MessageStore.create(CLUSTER.member(), () -> "small-map",
                                            new HistoryConfig(SMALL_CAPACITY, 2, STALENESS), TELEMETRY.openTelemetry()))));
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
    void pagesWalkTheHistoryNewestFirstWithLinkAndTotal() {
        List<String> posted = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            String uuid = "walk-" + UUID.randomUUID();
            posted.addFirst(uuid);
            assertThat(post("{\"uuid\": \"" + uuid + "\", \"msg\": \"m" + i + "\"}").status(), is(Status.CREATED_201));
        }
        ClientResponseTyped<String> first = client.get("/logging").queryParam("limit", "10").request(String.class);
        long total = Long.parseLong(first.headers().first(Page.TOTAL_COUNT).orElseThrow());
        assertThat(total, greaterThanOrEqualTo(25L));
        assertThat(first.headers().first(HeaderNames.LINK).orElseThrow(), startsWith("</logging?limit=10&cursor="));
        assertThat(first.headers().first(HeaderNames.LINK).orElseThrow(), endsWith(">; rel=\"next\""));

        List<String> walked = walk("/logging", 10);
        assertThat("every message exactly once", walked.size(), is((int) total));
        assertThat(Set.copyOf(walked).size(), is(walked.size()));
        assertThat("newest first", walked.subList(0, 25), is(posted));
    }

    @Test
    void aWalkReturnsWhatExistedWhenItBeganExactlyOnceUnderConcurrentWrites() throws Exception {
        for (int i = 0; i < 30; i++) {
            post("{\"uuid\": \"before-" + UUID.randomUUID() + "\", \"msg\": \"x\"}");
        }
        List<String> before = walk("/logging", 1_000);
        List<String> walked;
        try (ExecutorService writers = Executors.newVirtualThreadPerTaskExecutor()) {
            AtomicBoolean walking = new AtomicBoolean(true);
            for (int w = 0; w < 4; w++) {
                writers.submit(() -> {
                    while (walking.get()) {
                        post("{\"uuid\": \"during-" + UUID.randomUUID() + "\", \"msg\": \"x\"}");
                    }
                    return null;
                });
            }
            walked = walk("/logging", 7);
            walking.set(false);
        }
        assertThat("no message twice", Set.copyOf(walked).size(), is(walked.size()));
        // What arrived before the first page is newer than all of it, so it comes first.
        assertThat("every message that existed when the walk began, once, in order",
                   walked.subList(walked.size() - before.size(), walked.size()), is(before));
    }

    @Test
    void badLimitsAndCursorsAreJsonBadRequests() {
        post("{\"uuid\": \"" + UUID.randomUUID() + "\", \"msg\": \"x\"}");
        String messagesCursor = new Cursor(Cursor.MESSAGES, "messages-1", "run", 0).encode();
        for (String[] query : new String[][] {{"limit", "abc"}, {"limit", "0"}, {"limit", "-1"}, {"limit", "1001"},
                {"limit", "1.5"}, {"cursor", "garbage"}, {"cursor", ""}, {"cursor", messagesCursor},
                {"cursor", new Cursor(Cursor.LOGGING, "test-map-history", "", 1_000_000).encode()}}) {
            ClientResponseTyped<String> response = client.get("/logging").queryParam(query[0], query[1]).request(String.class);
            assertThat(query[0] + "=" + query[1], response.status(), is(Status.BAD_REQUEST_400));
            assertThat(response.entity(), startsWith("{\"error\":"));
        }
        ClientResponseTyped<String> otherHistory = client.get("/small")
                .queryParam("cursor", client.get("/logging").queryParam("limit", "1").request(String.class).headers()
                        .first(HeaderNames.LINK).flatMap(Page::nextCursor).orElseThrow())
                .request(String.class);
        assertThat(otherHistory.status(), is(Status.BAD_REQUEST_400));
        assertThat(otherHistory.entity(), containsString("history"));
    }

    @Test
    void theListKeepsTheNewestCapacityAndACursorPastItIsGone() {
        for (int i = 0; i < SMALL_CAPACITY; i++) {
            postTo("/small", "{\"uuid\": \"s-" + UUID.randomUUID() + "\", \"msg\": \"x\"}");
        }
        String cursor = client.get("/small").queryParam("limit", "2").request(String.class).headers()
                .first(HeaderNames.LINK).flatMap(Page::nextCursor).orElseThrow();
        for (int i = 0; i < SMALL_CAPACITY; i++) {
            postTo("/small", "{\"uuid\": \"s-" + UUID.randomUUID() + "\", \"msg\": \"x\"}");
        }
        ClientResponseTyped<String> page = client.get("/small").queryParam("limit", "100").request(String.class);
        assertThat(page.headers().first(Page.TOTAL_COUNT).orElseThrow(), is(String.valueOf(SMALL_CAPACITY)));
        assertThat(read(page.entity()).size(), is(SMALL_CAPACITY));
        ClientResponseTyped<String> gone = client.get("/small").queryParam("cursor", cursor).request(String.class);
        assertThat(gone.status(), is(Status.GONE_410));
        assertThat(gone.entity(), containsString("retention"));
    }

    @Test
    void rejectsBadInputWithAJsonErrorAndStoresNothing() {
        int before = CLUSTER.member().getMap("test-map").size();
        for (String body : new String[] {"{\"msg\": \"no uuid\"}", "{\"uuid\": \"u-2\"}", "{\"uuid\": 5, \"msg\": \"x\"}",
                "{\"uuid\": \"u-3\", \"msg\": \"\"}", "not json", "[]", "{\"uuid\": \"\\q\", \"msg\": \"x\"}",
                "{\"uuid\": \"u-5\", \"msg\": \"x\", \"n\": 5\u00e9}", "[".repeat(100_000)}) {
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

    @Test
    void theNewestPageShowsThisInstancesMessagesAtOnceAndAnothersWithinTheStaleness() {
        HistoryConfig config = new HistoryConfig(1_000, 2, Duration.ofSeconds(1));
        MessageStore here = MessageStore.create(CLUSTER.member(), () -> "shared-map", config, TELEMETRY.openTelemetry());
        MessageStore there = MessageStore.create(CLUSTER.member(), () -> "shared-map", config, TELEMETRY.openTelemetry());
        here.storeIfAbsent(new Message("own-1", "x"));
        assertThat(newestUuid(here), is("own-1"));
        there.storeIfAbsent(new Message("other-1", "y"));
        assertThat("one read of the newest page serves for the staleness", newestUuid(here), is("own-1"));
        Page afterCursor = here.page(1, Optional.of(new Cursor(Cursor.LOGGING, "shared-map-history", "", 1)));
        assertThat("a page after a cursor always reads Hazelcast", afterCursor.total(), is(2L));
        Eventually.await(Duration.ofSeconds(5), () -> newestUuid(here).equals("other-1"),
                         "another instance's message on the newest page after the staleness");
        here.storeIfAbsent(new Message("own-2", "z"));
        assertThat("this instance's own message at once", newestUuid(here), is("own-2"));
    }

    @Test
    void appendsToOneHistoryDoNotStopTheNewestPageOfAnotherFromBeingShared() {
        HistoryConfig config = new HistoryConfig(1_000, 2, Duration.ofSeconds(1));
        AtomicReference<String> map = new AtomicReference<>("busy-map");
        MessageStore here = MessageStore.create(CLUSTER.member(), map::get, config, TELEMETRY.openTelemetry());
        for (int i = 0; i < 5; i++) {
            here.storeIfAbsent(new Message("busy-" + i, "x"));
        }
        map.set("quiet-map");
        MessageStore there = MessageStore.create(CLUSTER.member(), map::get, config, TELEMETRY.openTelemetry());
        there.storeIfAbsent(new Message("quiet-1", "y"));
        assertThat(newestUuid(here), is("quiet-1"));
        there.storeIfAbsent(new Message("quiet-2", "y"));
        assertThat("the quiet history's newest page is shared for the staleness", newestUuid(here), is("quiet-1"));
    }

    private static String newestUuid(MessageStore store) {
        return read(new String(store.page(1, Optional.empty()).entries().getFirst())).get("uuid").asText();
    }

    private ClientResponseTyped<String> post(String body) {
        return postTo("/logging", body);
    }

    private ClientResponseTyped<String> postTo(String path, String body) {
        return client.post(path).contentType(MediaTypes.APPLICATION_JSON).submit(body, String.class);
    }

    // Follows the Link headers from the newest page to the last one.
    private List<String> walk(String path, int limit) {
        List<String> uuids = new ArrayList<>();
        Optional<String> cursor = Optional.empty();
        do {
            var request = client.get(path).queryParam("limit", String.valueOf(limit));
            cursor.ifPresent(token -> request.queryParam("cursor", token));
            ClientResponseTyped<String> page = request.request(String.class);
            assertThat(page.entity(), page.status(), is(Status.OK_200));
            read(page.entity()).forEach(entry -> uuids.add(entry.get("uuid").asText()));
            cursor = page.headers().first(HeaderNames.LINK).flatMap(Page::nextCursor);
        } while (cursor.isPresent());
        return uuids;
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("Not JSON: " + json, e);
        }
    }
}
