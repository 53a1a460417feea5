package lab.compose;

import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import lab.runtime.Cursor;
import lab.runtime.Page;
import lab.testing.ConsulAgent;
import lab.launcher.Eventually;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import static lab.compose.LabHttp.get;
import static lab.compose.LabHttp.instanceUri;
import static lab.compose.LabHttp.json;
import static lab.compose.LabHttp.post;
import static lab.compose.LabHttp.read;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.not;

/**
 * The lab's scenario on real parts, every piece its own process: a Consul agent, a 3-member
 * Hazelcast cluster, 2 facade, 3 logging and 2 messages instances from the built jars.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LabEndToEndIT {

    private static final Duration TTL = Duration.ofSeconds(5);
    private static final int RETENTION = 4;

    @RegisterExtension
    @Order(1)
    static final ConsulAgent consul = ConsulAgent.perClass();
    @RegisterExtension
    @Order(2)
    static final LabProcesses lab = new LabProcesses("e2e");
    private static final List<String> POSTED = new ArrayList<>();

    @BeforeAll
    static void startTheLab() {
        String cluster = "e2e-" + consul.httpPort();
        List<String> members = lab.startHazelcast(cluster, 3);
        consul.put("/v1/kv/lab_settings", LabProcesses.settings(cluster, members, "message-distributed-queue",
                                                                "message-distributed-map"));
        lab.startServices(consul, Map.of(), 2, 3, 2);
    }

    @Test
    @Order(1)
    void consulListsEveryInstanceWithAPassingTtlCheck() {
        for (String service : List.of("facade-service", "logging-service", "messages-service")) {
            for (JsonNode entry : passing(service)) {
                List<String> checkTypes = new ArrayList<>();
                for (JsonNode check : entry.get("Checks")) {
                    if (check.get("ServiceID").asText().equals(entry.get("Service").get("ID").asText())) {
                        checkTypes.add(check.get("Type").asText() + ":" + check.get("Status").asText());
                    }
                }
                assertThat(service + " " + entry.get("Service").get("ID"), checkTypes, is(List.of("ttl:passing")));
                assertThat(entry.get("Service").get("Port").asInt(), not(is(0)));
            }
        }
    }

    @Test
    @Order(2)
    void tenPostsAlternatingOverBothFacadesReachLoggingAndMessages() {
        List<URI> facades = facades();
        for (int i = 0; i < 10; i++) {
            URI facade = facades.get(i % 2);
            HttpResponse<String> response = i % 2 == 0
                    ? post(facade, "application/x-www-form-urlencoded", "msg=hello-" + i)
                    : post(facade, "application/json", "{\"msg\": \"hello-" + i + "\"}");
            assertThat(response.body(), response.statusCode(), is(201));
            JsonNode answer = read(response.body());
            assertThat(answer.get("msg").asText(), is("hello-" + i));
            POSTED.add(answer.get("uuid").asText());
        }

        JsonNode both = read(get(facades.getFirst()).body());
        assertThat(uuids(both.get("logging")), is(Set.copyOf(POSTED)));

        List<Set<String>> perInstance = Eventually.await(Duration.ofSeconds(10), () -> {
            List<Set<String>> received = passing("messages-service").stream()
                    .map(entry -> uuids(read(get(instanceUri(entry, "/messages")).body())))
                    .toList();
            return received.stream().mapToInt(Set::size).sum() == 10 ? received : null;
        }, () -> "all 10 messages consumed by the two messages instances");
        Set<String> union = new HashSet<>();
        perInstance.forEach(union::addAll);
        assertThat("each message consumed exactly once", union, is(Set.copyOf(POSTED)));
        assertThat("both messages instances took a share: " + perInstance,
                   perInstance.stream().noneMatch(Set::isEmpty), is(true));
    }

    @Test
    @Order(3)
    void settingsChangeReachesEveryInstanceAndTheQueueSwitchesWithoutRestart() {
        String cluster = read(consul.get("/v1/kv/lab_settings?raw")).get("cluster_name").asText();
        List<String> members = new ArrayList<>();
        read(consul.get("/v1/kv/lab_settings?raw")).get("hazelcast_members").forEach(member -> members.add(member.asText()));
        consul.put("/v1/kv/lab_settings", """
                {"cluster_name": "%s", "queue_name": "switched-queue", "map_name": "message-distributed-map",
                 "hazelcast_members": %s, "messages_retention": %d}
                """.formatted(cluster, json(members), RETENTION));
        long put = System.nanoTime();
        List<URI> everyInstance = new ArrayList<>();
        for (String service : List.of("facade-service", "logging-service", "messages-service")) {
            passing(service).forEach(entry -> everyInstance.add(instanceUri(entry, "/settings")));
        }
        Eventually.await(Duration.ofSeconds(10), () -> everyInstance.stream()
                                 .allMatch(uri -> read(get(uri).body()).get("queue_name").asText().equals("switched-queue")
                                         && read(get(uri).body()).get("messages_retention").asInt() == RETENTION),
                         () -> "every instance reports the new queue_name");
        System.out.printf("lab_settings change seen by all %d instances after %d ms%n",
                          everyInstance.size(), Duration.ofNanos(System.nanoTime() - put).toMillis());
        JsonNode settings = read(get(everyInstance.getFirst()).body());
        assertThat(settings.get("problem").isNull(), is(true));
        assertThat(settings.get("consul_index").asLong() > 0, is(true));

        String uuid = read(post(facades().getFirst(), "application/x-www-form-urlencoded", "msg=after-switch").body())
                .get("uuid").asText();
        Eventually.await(Duration.ofSeconds(10), () -> passing("messages-service").stream()
                                 .anyMatch(entry -> uuids(read(get(instanceUri(entry, "/messages")).body())).contains(uuid)),
                         () -> "a message sent after the switch is consumed from the new queue");
        assertThat(read(get(instanceUri(passing("logging-service").getFirst(), "/observe/health")).body())
                           .get("status").asText(), is("UP"));
        for (JsonNode messages : passing("messages-service")) {
            HttpResponse<String> page = get(instanceUri(messages, "/messages"));
            assertThat("retention applied live", total(page), lessThanOrEqualTo((long) RETENTION));
            assertThat(read(page.body()).size(), lessThanOrEqualTo(RETENTION));
        }
    }

    @Test
    @Order(4)
    void walkingTheFacadesPagesReturnsEveryMessageExactlyOnceWhileOthersArrive() throws Exception {
        List<URI> facades = facades();
        for (int i = 0; i < 120; i++) {
            assertThat(post(facades.get(i % 2), LabHttp.FORM, "msg=seed-" + i).statusCode(), is(201));
        }
        List<String> before = walkLogging(facades.getFirst(), 1_000);
        AtomicBoolean walking = new AtomicBoolean(true);
        AtomicInteger arrived = new AtomicInteger();
        List<String> walked;
        try (ExecutorService writers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int w = 0; w < 4; w++) {
                URI facade = facades.get(w % 2);
                writers.submit(() -> {
                    while (walking.get()) {
                        assertThat(post(facade, LabHttp.FORM, "msg=during").statusCode(), is(201));
                        arrived.incrementAndGet();
                    }
                    return null;
                });
            }
            walked = walkLogging(facades.get(1), 17);
            walking.set(false);
        }
        System.out.printf("paging: walked %d messages in pages of 17 while %d arrived%n", walked.size(), arrived.get());
        assertThat(arrived.get(), greaterThan(0));
        assertThat("no message twice", new HashSet<>(walked).size(), is(walked.size()));
        assertThat("every message that existed when the walk began, newest first", walked.subList(
                walked.size() - before.size(), walked.size()), is(before));
    }

    @Test
    @Order(5)
    void aLoggingCursorWorksOnEveryLoggingInstanceAndALateOneServesTheWholeHistory() {
        List<URI> loggings = passing("logging-service").stream().map(entry -> instanceUri(entry, "/logging")).toList();
        HttpResponse<String> first = get(URI.create(loggings.getFirst() + "?limit=50"));
        String cursor = nextCursor(first).orElseThrow();
        List<String> secondPages = loggings.stream()
                .map(logging -> get(URI.create(logging + "?limit=50&cursor=" + cursor)).body())
                .toList();
        assertThat("the same second page from all 3 instances", new HashSet<>(secondPages), hasSize(1));
        assertThat(read(secondPages.getFirst()).size(), is(50));

        lab.startService("logging", "logging-late", consul.address(), Map.of());
        try {
            lab.awaitPassing(consul, Duration.ofSeconds(60), 2, 4, 2);
            URI late = lab.awaitRegistration("logging-late").resolve("/logging");
            List<String> fromLate = walk(late, 500);
            assertThat("the late instance lists the whole history", (long) fromLate.size(),
                       is(total(get(loggings.getFirst()))));
            assertThat(fromLate, is(walk(loggings.get(1), 500)));
            assertThat(get(URI.create(late + "?limit=50&cursor=" + cursor)).body(), is(secondPages.getFirst()));
        } finally {
            lab.process("logging-late").destroy();
            Eventually.await(Duration.ofSeconds(15), () -> passing("logging-service").size() == 3,
                             "logging-late deregistered");
        }
    }

    @Test
    @Order(6)
    void aMessageAcceptedByOneFacadeIsOnTheOtherFacadesFirstPageWithinOneSecond() {
        List<URI> facades = facades();
        List<Long> millis = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            String uuid = read(post(facades.get(i % 2), LabHttp.FORM, "msg=fresh-" + i).body()).get("uuid").asText();
            long accepted = System.nanoTime();
            URI other = URI.create(facades.get((i + 1) % 2) + "?limit=100");
            Eventually.await(Duration.ofSeconds(1), () -> uuids(read(get(other).body()).get("logging")).contains(uuid),
                             uuid + " in a GET through the other facade within 1 s");
            millis.add(Duration.ofNanos(System.nanoTime() - accepted).toMillis());
        }
        System.out.printf("freshness: POST on one facade -> on the other's first page, max %d ms over 50%n",
                          millis.stream().max(Long::compare).orElseThrow());
    }

    @Test
    @Order(7)
    void aMessagesCursorWhoseInstanceDiedIsAClearGone() {
        URI facade = facades().getFirst();
        JsonNode page = Eventually.await(Duration.ofSeconds(10), () -> {
            JsonNode answer = read(get(URI.create(facade + "?limit=1")).body());
            return answer.get("next").get("messages").isNull() ? null : answer;
        }, () -> "a messages page with a next cursor");
        String cursor = page.get("next").get("messages").asText();
        HttpResponse<String> next = get(URI.create(facade + "?limit=1&messages_cursor=" + cursor));
        assertThat(next.body(), next.statusCode(), is(200));

        String issuer = Cursor.decode(cursor, "messages_cursor", Cursor.MESSAGES).issuer();
        String name = Stream.of("messages-1", "messages-2")
                .filter(it -> lab.registration(it).map(registration -> registration.id().equals(issuer)).orElse(false))
                .findFirst().orElseThrow();
        lab.kill(name);
        Eventually.await(Duration.ofSeconds(10), () -> passing("messages-service").size() == 1, issuer + " out of ?passing");
        for (URI any : facades()) {
            HttpResponse<String> gone = get(URI.create(any + "?limit=1&messages_cursor=" + cursor));
            assertThat(gone.body(), gone.statusCode(), is(410));
            assertThat(read(gone.body()).get("error").asText(), containsString(issuer));
        }
        HttpResponse<String> fresh = get(facade);
        assertThat("a new walk goes on with the instance that is left", fresh.statusCode(), is(200));
    }

    @Test
    @Order(8)
    void killedLoggingInstanceLeavesRotationWithinOneTtlAndNoGetFails() {
        lab.process("logging-1").destroyForcibly();
        long killedAt = System.nanoTime();
        List<String> statuses = new ArrayList<>();
        List<URI> facades = facades();
        while (passing("logging-service").size() == 3) {
            statuses.add(statusAndBody(get(facades.get(statuses.size() % 2))));
            assertThat("out of ?passing within one TTL (+1 s for the heartbeat phase)",
                       Duration.ofNanos(System.nanoTime() - killedAt), lessThan(TTL.plusSeconds(1)));
        }
        for (int i = 0; i < 20; i++) {
            statuses.add(statusAndBody(get(facades.get(i % 2))));
        }
        assertThat(statuses, everyItem(is("200")));
        assertThat(passing("logging-service"), hasSize(2));
    }

    @Test
    @Order(9)
    void sigtermedLoggingInstanceLeavesRotationBeforeItStopsAndNoRequestFails() throws Exception {
        String victim = passing("logging-service").size() == 2 ? "logging-2" : "logging-3";
        String id = lab.awaitRegistration(victim).id();
        ProcessHandle process = lab.process(victim);
        List<URI> facades = facades();
        AtomicBoolean loading = new AtomicBoolean(true);
        AtomicInteger requests = new AtomicInteger();
        Queue<String> failures = new ConcurrentLinkedQueue<>();
        boolean leftWhileAlive = false;
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < 16; c++) {
                URI facade = facades.get(c % 2);
                boolean posts = c % 4 < 2;
                clients.submit(() -> {
                    while (loading.get()) {
                        try {
                            HttpResponse<String> response = posts ? post(facade, LabHttp.FORM, "msg=during-sigterm") : get(facade);
                            if (response.statusCode() >= 300) {
                                failures.add(response.statusCode() + " " + response.body());
                            }
                        } catch (RuntimeException e) {
                            failures.add(e.toString());
                        }
                        requests.incrementAndGet();
                    }
                    return null;
                });
            }
            Thread.sleep(1_000);
            process.destroy();
            while (process.isAlive()) {
                leftWhileAlive |= passing("logging-service").stream()
                        .noneMatch(entry -> entry.get("Service").get("ID").asText().equals(id)) && process.isAlive();
                Thread.sleep(20);
            }
            Thread.sleep(1_000);
            loading.set(false);
        }
        System.out.printf("SIGTERM of %s under load: %d requests through both facades, %d failed%n",
                          id, requests.get(), failures.size());
        assertThat("out of ?passing while it still answered", leftWhileAlive, is(true));
        assertThat(List.copyOf(failures), is(List.of()));
        assertThat(requests.get(), greaterThan(16));
    }

    @Test
    @Order(10)
    void sigtermedFacadeDeregistersAtOnce() throws Exception {
        ProcessHandle facade = lab.process("facade-2");
        int before = passing("facade-service").size();
        facade.destroy();
        facade.onExit().get(15, java.util.concurrent.TimeUnit.SECONDS); // the facade exits on SIGTERM
        assertThat(read(consul.get("/v1/catalog/service/facade-service")).size(), is(before - 1));
    }

    private static String statusAndBody(HttpResponse<String> response) {
        return response.statusCode() == 200 ? "200" : response.statusCode() + " " + response.body();
    }

    private static org.hamcrest.Matcher<Duration> lessThan(Duration limit) {
        return org.hamcrest.Matchers.lessThan(limit);
    }

    private static List<JsonNode> passing(String service) {
        return LabHttp.passing(consul, service);
    }

    private static List<URI> facades() {
        return passing("facade-service").stream().map(entry -> instanceUri(entry, "/facade")).toList();
    }

    // GET /facade pages, following next.logging, until the last one.
    private static List<String> walkLogging(URI facade, int limit) {
        List<String> uuids = new ArrayList<>();
        String cursor = null;
        do {
            HttpResponse<String> answer = get(URI.create(facade + "?limit=" + limit
                                                                 + (cursor == null ? "" : "&logging_cursor=" + cursor)));
            assertThat(answer.body(), answer.statusCode(), is(200));
            JsonNode page = read(answer.body());
            page.get("logging").forEach(item -> uuids.add(item.get("uuid").asText()));
            cursor = page.get("next").get("logging").isNull() ? null : page.get("next").get("logging").asText();
        } while (cursor != null);
        return uuids;
    }

    // GET /logging or /messages pages, following the Link headers, until the last one.
    private static List<String> walk(URI list, int limit) {
        List<String> uuids = new ArrayList<>();
        URI next = URI.create(list + "?limit=" + limit);
        while (next != null) {
            HttpResponse<String> page = get(next);
            assertThat(page.body(), page.statusCode(), is(200));
            read(page.body()).forEach(item -> uuids.add(item.get("uuid").asText()));
            next = nextCursor(page).map(cursor -> URI.create(list + "?limit=" + limit + "&cursor=" + cursor)).orElse(null);
        }
        return uuids;
    }

    private static Optional<String> nextCursor(HttpResponse<String> page) {
        return page.headers().firstValue("Link").flatMap(Page::nextCursor);
    }

    private static long total(HttpResponse<String> page) {
        return Long.parseLong(page.headers().firstValue("X-Total-Count").orElseThrow());
    }

    private static Set<String> uuids(JsonNode list) {
        Set<String> uuids = new HashSet<>();
        list.forEach(item -> uuids.add(item.get("uuid").asText()));
        return uuids;
    }
}
