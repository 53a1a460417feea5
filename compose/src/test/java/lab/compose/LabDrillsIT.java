package lab.compose;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import lab.compose.LabProcesses.Registration;
import lab.testing.ConsulAgent;
import lab.launcher.Eventually;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import static lab.compose.LabHttp.instanceUri;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

/**
 * "Prove it": failure drills on the lab as separate processes — a Consul agent, a 3-member
 * Hazelcast cluster (map and queue backup count 2), 2 facade, 3 logging and 2 messages instances
 * from the built jars. One lab for all drills, in an order that lets each start from what the one
 * before left ({@code DRILL n} in each method's name is the issue's numbering):
 * <ol>
 *     <li>kill -9 of a logging instance under 200 concurrent clients (its catalog exit is awaited
 *     in the background and checked before Consul is restarted)</li>
 *     <li>kill -9 of 2 of the 3 Hazelcast members</li>
 *     <li>bad input, hand-written and generated</li>
 *     <li>malformed {@code lab_settings}</li>
 *     <li>a messages instance killed while messages are queued</li>
 *     <li>the killed logging instance leaves the catalog</li>
 *     <li>Consul restarted with its state lost</li>
 *     <li>Consul down while an instance starts</li>
 * </ol>
 * Process logs: {@code compose/target/lab-logs/drills/}; measured times are printed to the test's
 * output ({@code target/failsafe-reports/lab.compose.LabDrillsIT-output.txt}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LabDrillsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    /** The services' TTL; Consul must act within it, plus this margin for the agent's timer and our polling. */
    private static final Duration TTL = Duration.ofSeconds(5);
    private static final Duration TTL_MARGIN = Duration.ofSeconds(1);
    /** DeregisterCriticalServiceAfter of the logging instances (Consul's minimum), set through the environment. */
    private static final Duration DEREGISTER_AFTER = Duration.ofMinutes(1);
    /** Consul's reaper runs every 30 s: removal comes 60-90 s after the check went critical. */
    private static final Duration CATALOG_EXIT_LIMIT = Duration.ofSeconds(100);
    /** Start-up, reconnects and the like: no bound in the issue, so generous for a loaded 2-core machine. */
    private static final Duration SLOW = Duration.ofSeconds(60);
    private static final int CLIENTS = 200;
    private static final Duration LOAD = Duration.ofSeconds(12);
    private static final Duration KILL_AFTER = Duration.ofSeconds(3);
    private static final int GENERATED_BODIES = 1_200;
    private static final long SEED = 20_261_127L;
    private static final int MAX_MESSAGE_LENGTH = 64 * 1024;
    // what drills 1 and 4 send through the facades: drill 6 tells their late messages from its own
    private static final String DRILL1_TEXT = "drill1-";
    private static final String DRILL4_TEXT = "one-member-left";

    @RegisterExtension
    @Order(1)
    static final ConsulAgent consul = ConsulAgent.perClass();
    @RegisterExtension
    @Order(2)
    static final LabProcesses lab = new LabProcesses("drills");
    private static String cluster;
    private static List<String> members;
    /** Drill 1's wait for the catalog to drop the killed instance, run while the other drills go on. */
    private static CompletableFuture<Duration> catalogExit;

    @BeforeAll
    static void startTheLab() {
        cluster = "drills-" + consul.httpPort();
        // Every member holds every map entry and queue item, so 2 of 3 may die at once.
        members = lab.startHazelcast(cluster, 3, Map.of("HZ_MAP_DEFAULT_BACKUPCOUNT", "2",
                                                        "HZ_QUEUE_DEFAULT_BACKUPCOUNT", "2"));
        consul.put("/v1/kv/lab_settings", settings("drills-queue"));
        lab.startServices(consul, Map.of("logging", Map.of("CONSUL_SERVICE_DEREGISTER_AFTER", DEREGISTER_AFTER.toString())),
                          2, 3, 2);
    }

    @Test
    @Order(1)
    void drill1KillingALoggingInstanceUnderLoadFailsNoRequest() throws InterruptedException {
        Registration victim = lab.registration("logging-1").orElseThrow();
        List<URI> facades = facades();
        assertThat(facades, hasSize(2));
        AtomicInteger requests = new AtomicInteger();
        Queue<String> failures = new ConcurrentLinkedQueue<>();
        long stopAt = System.nanoTime() + LOAD.toNanos();
        long killedAt;
        Duration outOfRotation;
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                clients.submit(() -> client(client, facades, stopAt, requests, failures));
            }
            Thread.sleep(KILL_AFTER.toMillis());
            lab.kill("logging-1");
            killedAt = System.nanoTime();
            outOfRotation = Eventually.await(Duration.ofSeconds(30), () -> passingIds("logging-service").contains(victim.id())
                                                     ? null
                                                     : Duration.ofNanos(System.nanoTime() - killedAt),
                                             () -> victim.id() + " out of ?passing");
        }
        catalogExit = CompletableFuture.supplyAsync(() -> leavesCatalog(victim.id(), killedAt, outOfRotation),
                                                    task -> Thread.ofVirtual().start(task));
        System.out.printf("drill 1: %d requests by %d clients in %s, %d failed; %s out of ?passing %d ms after kill -9%n",
                          requests.get(), CLIENTS, LOAD, failures.size(), victim.id(), outOfRotation.toMillis());

        assertThat("out of ?passing within one TTL (+" + TTL_MARGIN.toMillis() + " ms)",
                   outOfRotation, lessThanOrEqualTo(TTL.plus(TTL_MARGIN)));
        assertThat("every request answered 200/201", List.copyOf(failures), is(empty()));
        assertThat(requests.get(), greaterThanOrEqualTo(CLIENTS));
        assertThat(passingIds("logging-service"), hasSize(2));
    }

    @Test
    @Order(2)
    void drill4KillingTwoOfThreeHazelcastMembersLosesNoEntry() throws InterruptedException {
        Eventually.await(SLOW, () -> clusterNodes().equals(nodes(1, 1, 1)), "cluster_nodes shows all 3 members up");
        List<URI> loggings = passing("logging-service").stream().map(entry -> instanceUri(entry, "/logging")).toList();
        long before = total(get(loggings.getFirst()));
        assertThat("drill 1 left entries to lose", before, greaterThan(0L));

        lab.kill("hazelcast-1", "hazelcast-2");
        long killedAt = System.nanoTime();
        List<String> served = new ArrayList<>();
        List<Duration> latencies = new ArrayList<>();
        Eventually.await(Duration.ofSeconds(90), () -> {
            for (URI logging : loggings) {
                long asked = System.nanoTime();
                served.add(entries(logging));
                latencies.add(Duration.ofNanos(System.nanoTime() - asked));
            }
            return clusterNodes().equals(nodes(0, 0, 1));
        }, "cluster_nodes shows the 2 killed members as 0 and the survivor as 1");
        Duration reported = Duration.ofNanos(System.nanoTime() - killedAt);
        List<String> after = loggings.stream().map(logging -> entries(logging)).toList();
        System.out.printf("drill 4: cluster_nodes updated %d ms after kill -9; GET /logging while the cluster shrank: %s,"
                                  + " slowest %d ms%n",
                          reported.toMillis(), served.stream().collect(Collectors.groupingBy(it -> it, TreeMap::new,
                                                                                            Collectors.counting())),
                          latencies.stream().max(Duration::compareTo).orElse(Duration.ZERO).toMillis());

        assertThat("entries before and after on every logging instance", after, everyItem(is(String.valueOf(before))));
        assertThat("every GET while the cluster shrank", served, everyItem(is(String.valueOf(before))));
        for (int i = 0; i < 10; i++) {
            URI logging = loggings.get(i % loggings.size());
            HttpResponse<String> stored = post(logging, "application/json",
                                               "{\"uuid\": \"" + UUID.randomUUID() + "\", \"msg\": \"after-members-died-" + i + "\"}");
            assertThat(stored.body(), stored.statusCode(), is(201));
        }
        Thread.sleep(150);  // past the 50 ms for which an instance shares one read of the newest page
        assertThat(loggings.stream().map(logging -> entries(logging)).toList(),
                   everyItem(is(String.valueOf(before + 10))));
        HttpResponse<String> throughFacade = post(facades().getFirst(), "application/x-www-form-urlencoded", "msg=" + DRILL4_TEXT);
        assertThat(throughFacade.body(), throughFacade.statusCode(), is(201));
        assertThat(passingIds("logging-service"), hasSize(2));
    }

    @Test
    @Order(3)
    void drill6BadInputGetsJsonErrorsAndChangesNothing() throws InterruptedException {
        List<URI> facades = facades();
        List<URI> loggings = passing("logging-service").stream().map(entry -> instanceUri(entry, "/logging")).toList();
        URI messages = lab.registration("messages-1").orElseThrow().resolve("/messages");
        long loggedBefore = loggedThroughFacade();
        Set<String> receivedBefore = received().keySet();

        List<Probe> probes = new ArrayList<>(handWritten(facades.getFirst(), loggings.getFirst(), messages));
        int handWritten = probes.size();
        probes.addAll(generated(new Random(SEED), facades, loggings));
        List<Result> results = sendAll(probes);
        // A duplicate uuid, on the instance that stored it and on another one.
        String uuid = UUID.randomUUID().toString();
        String first = "{\"uuid\": \"" + uuid + "\", \"msg\": \"first\"}";
        String again = "{\"uuid\": \"" + uuid + "\", \"msg\": \"again\"}";
        List<Result> duplicates = sendAll(List.of(new Probe("uuid first", "POST", loggings.getFirst(), "application/json", bytes(first), 201)));
        duplicates = new ArrayList<>(duplicates);
        duplicates.addAll(sendAll(loggings.stream()
                                          .map(logging -> new Probe("uuid again", "POST", logging, "application/json", bytes(again), 409))
                                          .toList()));
        results = new ArrayList<>(results);
        results.addAll(duplicates);

        List<String> problems = new ArrayList<>();
        for (Result result : results) {
            problems.addAll(result.problems());
        }
        long facadeAccepted = results.stream().filter(it -> it.accepted("/facade")).count();
        long loggingAccepted = results.stream().filter(it -> it.accepted("/logging")).count();
        Map<Integer, Long> statuses = results.stream().collect(Collectors.groupingBy(Result::status, TreeMap::new,
                                                                                    Collectors.counting()));
        System.out.printf("drill 6: %d hand-written + %d generated (seed %d) + %d duplicate-uuid requests; statuses %s;"
                                  + " accepted %d by the facade, %d by logging; %d problems%n",
                          handWritten, probes.size() - handWritten, SEED, duplicates.size(), statuses,
                          facadeAccepted, loggingAccepted, problems.size());

        // the facades' logs are read only when there is something to explain
        assertThat("no 5xx, JSON errors, no stack traces, expected statuses" + (problems.isEmpty() ? "" : facadeWarnings()),
                   problems, is(empty()));
        assertThat("the logging map grew by the accepted POSTs only", loggedThroughFacade(),
                   is(loggedBefore + facadeAccepted + loggingAccepted));
        // What the queue delivers is checked by content, not counted: the consumers may still be working
        // off the earlier drills' messages, and after drill 4's member loss an item can be delivered twice.
        Set<String> acceptedUuids = results.stream().filter(it -> it.accepted("/facade"))
                .map(it -> read(it.body()).path("uuid").asText()).collect(Collectors.toSet());
        Eventually.await(SLOW, () -> received().keySet().containsAll(acceptedUuids),
                         () -> "every message the facade accepted reaches a messages instance");
        // Anything a rejected request had queued would have come with the accepted ones.
        Thread.sleep(2_000);
        Map<String, String> strays = new TreeMap<>(received());
        strays.keySet().removeAll(receivedBefore);
        strays.keySet().removeAll(acceptedUuids);
        strays.values().removeIf(msg -> msg.startsWith(DRILL1_TEXT) || msg.equals(DRILL4_TEXT));
        assertThat("the facade queued nothing for rejected requests (all else that arrived is earlier drills' traffic)",
                   strays, is(Map.of()));
    }

    @Test
    @Order(4)
    void drill7MalformedSettingsKeepTheLastGoodOnesAndSaySo() throws InterruptedException {
        String good = consul.get("/v1/kv/lab_settings?raw");
        String queue = read(good).get("queue_name").asText();
        Map<String, URI> instances = passingInstances();
        assertThat(instances.size(), is(2 + 2 + 2));
        List<String> broken = List.of(
                // not JSON at all
                "{\"cluster_name\": \"" + cluster + "\", \"queue_name\": \"drill-7-queue\", ",
                // JSON, but a name of the wrong type
                "{\"cluster_name\": \"" + cluster + "\", \"queue_name\": [\"drill-7-queue\"], \"hazelcast_members\": "
                        + json(members) + "}");
        for (String document : broken) {
            consul.put("/v1/kv/lab_settings", document);
            long put = System.nanoTime();
            Eventually.await(SLOW, () -> instances.values().stream().allMatch(instance -> keepsAndReports(instance, queue)),
                             () -> "every instance keeps queue_name " + queue + " and reports the problem with " + document
                                     + "\n" + describe(instances, "/settings"));
            Duration reported = Duration.ofNanos(System.nanoTime() - put);
            // and goes on doing so
            Thread.sleep(500);
            String answer = get(instances.values().iterator().next().resolve("/settings")).body();
            System.out.printf("drill 7: %d instances kept their settings and reported %s after %d ms%n",
                              instances.size(), read(answer).has("problem") ? read(answer).get("problem") : abbreviate(answer),
                              reported.toMillis());
            assertThat("still keeping and reporting\n" + describe(instances, "/settings"),
                       instances.values().stream().allMatch(instance -> keepsAndReports(instance, queue)), is(true));
            assertThat("still passing: the instances work on", passingInstances().keySet(), is(instances.keySet()));
        }
        consul.put("/v1/kv/lab_settings", good);
        Eventually.await(SLOW, () -> instances.values().stream().allMatch(instance -> {
            JsonNode settings = read(get(instance.resolve("/settings")).body());
            return settings.get("queue_name").asText().equals(queue)
                    && settings.get("problem").isNull()
                    && !settingsCheck(instance).has("problem");
        }), () -> "a good document clears the problem everywhere\n" + describe(instances, "/settings"));
    }

    @Test
    @Order(5)
    void drill5QueuedMessagesSurviveTheirConsumer() throws InterruptedException {
        Registration doomed = lab.registration("messages-1").orElseThrow();
        Registration survivor = lab.registration("messages-2").orElseThrow();
        lab.pause("messages-1");
        lab.pause("messages-2");
        // Their pending 1-s polls expire on the members, so what is posted now stays in the queue
        // (~2 s would do; 3 s leaves room for a member slow to take up a poll on a loaded machine).
        Thread.sleep(3_000);
        List<URI> facades = facades();
        List<String> queued = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> response = post(facades.get(i % facades.size()), "application/x-www-form-urlencoded",
                                                 "msg=queued-" + i);
            assertThat(response.body(), response.statusCode(), is(201));
            queued.add(read(response.body()).get("uuid").asText());
        }
        lab.kill("messages-1");
        lab.resume("messages-2");
        long resumed = System.nanoTime();

        List<String> received = Eventually.await(SLOW, () -> {
            List<String> all = uuidList(read(get(survivor.resolve("/messages")).body()));
            return all.containsAll(queued) ? all : null;
        }, () -> "the survivor " + survivor.id() + " receives all 20 queued messages");
        System.out.printf("drill 5: %s received all 20 queued messages %d ms after SIGCONT (%s killed)%n",
                          survivor.id(), Duration.ofNanos(System.nanoTime() - resumed).toMillis(), doomed.id());
        assertThat("each exactly once", received.stream().filter(queued::contains).count(), is(20L));
        Eventually.await(SLOW, () -> passingIds("messages-service").equals(Set.of(survivor.id())),
                         "the survivor is back in ?passing, the killed one is not");
    }

    @Test
    @Order(6)
    void drill1KilledLoggingInstanceLeavesTheCatalogAfterDeregisterCriticalServiceAfter() throws Exception {
        assertThat("drill 1 ran", catalogExit != null, is(true));
        Duration gone = catalogExit.get(CATALOG_EXIT_LIMIT.plusSeconds(30).toSeconds(), TimeUnit.SECONDS);
        System.out.printf("drill 1: the killed logging instance left the catalog %d s after kill -9%n", gone.toSeconds());
        assertThat("not before DeregisterCriticalServiceAfter", gone, greaterThanOrEqualTo(DEREGISTER_AFTER));
    }

    @Test
    @Order(7)
    void drill2ConsulRestartWithLostStateIsRepairedWithoutRestartingAnyInstance() throws InterruptedException {
        Map<String, URI> instances = passingInstances();
        Map<String, Long> pids = lab.alive().stream().collect(Collectors.toMap(name -> name, name -> lab.process(name).pid()));
        long kvIndex = read(consul.get("/v1/kv/lab_settings")).get(0).get("ModifyIndex").asLong();
        Eventually.await(SLOW, () -> instances.values().stream().allMatch(
                                 instance -> read(get(instance.resolve("/settings")).body()).get("consul_index").asLong() == kvIndex),
                         "every instance has seen the latest lab_settings");
        JsonNode before = read(consul.get("/v1/kv/lab_settings?raw"));

        LabTraffic traffic = LabTraffic.start(facades(), 1, Duration.ofMillis(100), "during-restart");
        consul.restart();
        long back = System.nanoTime();
        Duration passingAgain = Eventually.await(SLOW, () -> passingInstances().keySet().equals(instances.keySet())
                                                         ? Duration.ofNanos(System.nanoTime() - back)
                                                         : null,
                                                 () -> "every instance passing again: " + instances.keySet());
        Duration restored = Eventually.await(SLOW, () -> before.equals(read(consul.get("/v1/kv/lab_settings?raw")))
                                                     ? Duration.ofNanos(System.nanoTime() - back)
                                                     : null,
                                             () -> "lab_settings restored as it was: " + before);
        consul.put("/v1/kv/lab_settings", settings("after-restart-queue"));
        long put = System.nanoTime();
        Eventually.await(SLOW, () -> instances.values().stream().allMatch(
                                 instance -> read(get(instance.resolve("/settings")).body()).get("queue_name").asText()
                                         .equals("after-restart-queue")),
                         () -> "the watch resumed: every instance reports the new queue_name\n" + describe(instances, "/settings"));
        Duration watched = Duration.ofNanos(System.nanoTime() - put);
        Thread.sleep(1_000);
        List<String> trafficFailures = traffic.stop();
        System.out.printf("drill 2: %d instances passing %d ms after Consul was back, lab_settings restored after %d ms,"
                                  + " a new lab_settings seen by all after %d ms; facade traffic during the restart:"
                                  + " %d requests, %d failed %s%n",
                          instances.size(), passingAgain.toMillis(), restored.toMillis(), watched.toMillis(),
                          traffic.requests(), trafficFailures.size(),
                          trafficFailures.stream().collect(Collectors.groupingBy(it -> it, TreeMap::new, Collectors.counting())));

        assertThat("re-registered and passing within one TTL of Consul being back (+" + TTL_MARGIN.toMillis() + " ms)",
                   passingAgain, lessThanOrEqualTo(TTL.plus(TTL_MARGIN)));
        // The facades' discovery keeps its instances through the outage and the empty new agent.
        assertThat("requests through the facades while Consul restarted", trafficFailures, is(empty()));
        pids.forEach((name, pid) -> {
            assertThat(name + " was not restarted", lab.process(name).isAlive(), is(true));
            assertThat(name + " was not restarted", lab.process(name).pid(), is(pid));
        });
        assertThat("the same instances (a restarted one would have a new id)",
                   passingInstances().keySet(), is(instances.keySet()));
        HttpResponse<String> response = post(facades().getFirst(), "application/json", "{\"msg\": \"after the restart\"}");
        assertThat(response.body(), response.statusCode(), is(201));
    }

    @Test
    @Order(8)
    void drill3AnInstanceStartedWhileConsulIsDownWaitsAndRegisters() {
        Map<String, URI> running = passingInstances();
        consul.stop();
        lab.startService("messages", "messages-late", consul.address(), Map.of());
        Eventually.await(SLOW, () -> lab.log("messages-late").contains("Waiting for Consul"),
                         () -> "messages-late logs that it waits for Consul:\n" + lab.logTail("messages-late"));
        // Frozen while the agent comes back: a -dev agent comes back empty, and an instance that
        // starts then seeds the default lab_settings (create-only) if it gets there before the
        // running instances restore theirs. Which one wins is a race this drill is not about.
        lab.pause("messages-late");
        consul.restart();
        Eventually.await(SLOW, () -> read(consul.get("/v1/kv/lab_settings?raw")).get("cluster_name").asText().equals(cluster),
                         "the running instances restored lab_settings");
        lab.resume("messages-late");
        long resumed = System.nanoTime();

        Registration late = Eventually.await(SLOW, () -> lab.registration("messages-late")
                                                     .filter(it -> passingIds("messages-service").contains(it.id()))
                                                     .orElse(null),
                                             () -> "messages-late registered and passing\n" + lab.logTail("messages-late"));
        System.out.printf("drill 3: %s passing %d ms after it was let go with Consul back%n", late.id(),
                          Duration.ofNanos(System.nanoTime() - resumed).toMillis());
        String log = lab.log("messages-late");
        assertThat("waited before it registered", log.indexOf("Waiting for Consul"),
                   lessThan(log.indexOf("Registered " + late.id())));
        HttpResponse<String> settings = get(late.resolve("/settings"));
        assertThat(settings.body(), settings.statusCode(), is(200));
        assertThat(read(settings.body()).get("cluster_name").asText(), is(cluster));
        assertThat(read(settings.body()).get("problem").isNull(), is(true));
        Eventually.await(SLOW, () -> passingInstances().keySet().containsAll(running.keySet()),
                         "the running instances are back too");
    }

    // ---- drill 1: the clients --------------------------------------------------------------------

    private static void client(int client, List<URI> facades, long stopAt, AtomicInteger requests, Queue<String> failures) {
        for (int i = 0; System.nanoTime() < stopAt; i++) {
            URI facade = facades.get((client + i) % facades.size());
            boolean isPost = i % 2 == 0;
            String what = (isPost ? "POST " : "GET ") + facade;
            try {
                HttpResponse<String> response = isPost
                        ? (client % 2 == 0
                                   ? post(facade, "application/x-www-form-urlencoded", "msg=" + DRILL1_TEXT + client + "-" + i)
                                   : post(facade, "application/json", "{\"msg\": \"" + DRILL1_TEXT + client + "-" + i + "\"}"))
                        : get(facade);
                if (response.statusCode() != (isPost ? 201 : 200)) {
                    failures.add(what + " -> " + response.statusCode() + " " + abbreviate(response.body()));
                }
            } catch (RuntimeException e) {
                failures.add(what + " -> " + e.getMessage());
            }
            requests.incrementAndGet();
        }
    }

    // Polled every second, not 20 times: it runs for a minute and more next to the other drills.
    private static Duration leavesCatalog(String id, long killedAt, Duration outOfRotation) {
        long deadline = killedAt + outOfRotation.plus(CATALOG_EXIT_LIMIT).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                List<String> ids = new ArrayList<>();
                read(consul.get("/v1/catalog/service/logging-service")).forEach(entry -> ids.add(entry.get("ServiceID").asText()));
                if (!ids.contains(id)) {
                    return Duration.ofNanos(System.nanoTime() - killedAt);
                }
            } catch (RuntimeException e) {
                // Consul busy: ask again
            }
            try {
                Thread.sleep(1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new AssertionError(id + " still in /v1/catalog/service/logging-service " + CATALOG_EXIT_LIMIT
                                         + " after it left ?passing");
    }

    // ---- drill 6: the bad input -----------------------------------------------------------------

    /**
     * One request.
     *
     * @param label    what it is, for failure messages
     * @param expected the status it must get, or 0 for "any, as long as it is well-formed"
     */
    private record Probe(String label, String method, URI uri, String contentType, byte[] body, int expected,
                         Map<String, String> headers) {

        Probe(String label, String method, URI uri, String contentType, byte[] body, int expected) {
            this(label, method, uri, contentType, body, expected, Map.of());
        }

        @Override
        public String toString() {
            return label + ": " + method + " " + abbreviate(uri.toString()) + " [" + contentType + "] "
                    + abbreviate(body == null ? "" : new String(body, StandardCharsets.UTF_8));
        }
    }

    private record Result(Probe probe, int status, String contentType, String body) {

        boolean accepted(String path) {
            return status == 201 && probe.method().equals("POST") && probe.uri().getPath().equals(path);
        }

        List<String> problems() {
            List<String> problems = new ArrayList<>();
            if (status >= 500 || status < 100) {
                problems.add("status " + status);
            }
            if (probe.expected() != 0 && status != probe.expected()) {
                problems.add("expected " + probe.expected() + " but got " + status);
            }
            if (status >= 400) {
                if (!contentType.startsWith("application/json")) {
                    problems.add("error with Content-Type '" + contentType + "'");
                }
                try {
                    JsonNode error = JSON.readTree(body);
                    if (error == null || !error.isObject() || !error.path("error").isTextual()
                            || error.path("error").asText().isBlank()) {
                        problems.add("error without an \"error\" field");
                    }
                } catch (Exception e) {
                    problems.add("error body is not JSON");
                }
            }
            for (String leak : List.of("Exception", "at lab.", "at io.helidon")) {
                if (body.contains(leak)) {
                    problems.add("body contains '" + leak + "'");
                }
            }
            return problems.isEmpty()
                    ? List.of()
                    : List.of(probe + " -> " + status + " [" + contentType + "] " + abbreviate(body) + ": " + problems);
        }
    }

    private static List<Probe> handWritten(URI facade, URI logging, URI messages) {
        URI base = facade.resolve("/");
        String form = "application/x-www-form-urlencoded";
        String json = "application/json";
        String huge = "x".repeat(1024 * 1024 + 1);
        List<Probe> probes = new ArrayList<>(List.of(
                new Probe("empty form msg", "POST", facade, form, bytes("msg="), 400),
                new Probe("empty form", "POST", facade, form, bytes(""), 400),
                new Probe("blank form msg", "POST", facade, form, bytes("msg=+++"), 400),
                new Probe("empty JSON msg", "POST", facade, json, bytes("{\"msg\": \"\"}"), 400),
                new Probe("blank JSON msg", "POST", facade, json, bytes("{\"msg\": \"   \"}"), 400),
                new Probe("empty JSON object", "POST", facade, json, bytes("{}"), 400),
                new Probe("empty JSON body", "POST", facade, json, bytes(""), 400),
                new Probe("1 MiB+ form msg", "POST", facade, form, bytes("msg=" + huge), 400),
                new Probe("1 MiB+ JSON msg", "POST", facade, json, bytes("{\"msg\": \"" + huge + "\"}"), 400),
                new Probe("64 KiB JSON msg (the limit)", "POST", facade, json,
                          bytes("{\"msg\": \"" + "y".repeat(MAX_MESSAGE_LENGTH) + "\"}"), 201),
                new Probe("64 KiB + 1 JSON msg", "POST", facade, json,
                          bytes("{\"msg\": \"" + "y".repeat(MAX_MESSAGE_LENGTH + 1) + "\"}"), 400),
                new Probe("malformed JSON", "POST", facade, json, bytes("{\"msg\": \"unterminated"), 400),
                new Probe("JSON msg 5", "POST", facade, json, bytes("{\"msg\": 5}"), 400),
                new Probe("JSON msg true", "POST", facade, json, bytes("{\"msg\": true}"), 400),
                new Probe("JSON msg null", "POST", facade, json, bytes("{\"msg\": null}"), 400),
                new Probe("JSON msg array", "POST", facade, json, bytes("{\"msg\": [\"a\"]}"), 400),
                new Probe("JSON msg object", "POST", facade, json, bytes("{\"msg\": {\"a\": \"b\"}}"), 400),
                new Probe("JSON array", "POST", facade, json, bytes("[\"msg\"]"), 400),
                new Probe("JSON string", "POST", facade, json, bytes("\"msg\""), 400),
                new Probe("JSON number", "POST", facade, json, bytes("5"), 400),
                new Probe("JSON null", "POST", facade, json, bytes("null"), 400),
                new Probe("text/plain", "POST", facade, "text/plain", bytes("msg=hello"), 415),
                new Probe("XML", "POST", facade, "application/xml", bytes("<msg>hi</msg>"), 415),
                new Probe("no Content-Type", "POST", facade, null, bytes("msg=hi"), 415),
                new Probe("malformed Content-Type", "POST", facade, ";;;", bytes("msg=hi"), 400),
                new Probe("Content-Type without subtype", "POST", facade, "application/", bytes("msg=hi"), 0),
                new Probe("unknown charset", "POST", facade, "application/json; charset=bogus", bytes("{\"msg\": \"x\"}"), 0),
                new Probe("logging: uuid 5", "POST", logging, json, bytes("{\"uuid\": 5, \"msg\": \"x\"}"), 400),
                new Probe("logging: msg 5", "POST", logging, json, bytes("{\"uuid\": \"u-5\", \"msg\": 5}"), 400),
                new Probe("logging: no uuid", "POST", logging, json, bytes("{\"msg\": \"x\"}"), 400),
                new Probe("logging: no msg", "POST", logging, json, bytes("{\"uuid\": \"u-6\"}"), 400),
                new Probe("logging: empty uuid", "POST", logging, json, bytes("{\"uuid\": \"\", \"msg\": \"x\"}"), 400),
                new Probe("logging: 1 MiB+ msg", "POST", logging, json,
                          bytes("{\"uuid\": \"u-7\", \"msg\": \"" + huge + "\"}"), 400),
                new Probe("logging: malformed JSON", "POST", logging, json, bytes("{\"uuid\": "), 400),
                new Probe("logging: JSON array", "POST", logging, json, bytes("[1, 2]"), 400),
                new Probe("logging: form", "POST", logging, form, bytes("uuid=a&msg=b"), 415),
                new Probe("logging: no Content-Type", "POST", logging, null, bytes("{\"uuid\": \"a\", \"msg\": \"b\"}"), 415),
                new Probe("logging: malformed Content-Type", "POST", logging, ";;;", bytes("{}"), 400),
                new Probe("DELETE /facade", "DELETE", facade, null, null, 404),
                new Probe("PUT /facade", "PUT", facade, form, bytes("msg=x"), 404),
                new Probe("PATCH /facade", "PATCH", facade, json, bytes("{\"msg\": \"x\"}"), 404),
                new Probe("OPTIONS /facade", "OPTIONS", facade, null, null, 404),
                new Probe("FOO /facade", "FOO", facade, null, null, 404),
                new Probe("DELETE /logging", "DELETE", logging, null, null, 404),
                new Probe("PUT /logging", "PUT", logging, json, bytes("{\"uuid\": \"a\", \"msg\": \"b\"}"), 404),
                new Probe("GET /nope", "GET", base.resolve("/nope"), null, null, 404),
                new Probe("GET /facade/extra", "GET", base.resolve("/facade/extra"), null, null, 404),
                new Probe("POST /settings", "POST", base.resolve("/settings"), json, bytes("{}"), 404),
                new Probe("GET /logging/x", "GET", logging.resolve("/logging/x"), null, null, 404),
                new Probe("10 KB path", "GET", base.resolve("/" + "a".repeat(10_000)), null, null, 414),
                new Probe("20 KB header", "GET", facade, null, null, 0, Map.of("X-Big", "b".repeat(20_000)))));
        probes.add(new Probe("POST /messages", "POST", messages, json, bytes("{}"), 404));
        probes.add(new Probe("DELETE /messages", "DELETE", messages, null, null, 404));
        return probes;
    }

    /**
     * Bodies nobody wrote by hand: random bytes, random JSON of random types, random form bodies,
     * long strings, unicode, under random content types, and now and then a random method and path.
     */
    // What the facades said about failed calls (each instance tried, with its failure), for a failure message.
    private static String facadeWarnings() {
        return Stream.of("facade-1", "facade-2")
                .flatMap(name -> lab.log(name).lines().filter(line -> line.contains(" WARNING ") && line.contains(" lab."))
                        .map(line -> "\n  " + name + ": " + line))
                .collect(Collectors.joining("", "\nthe facades' warnings:", ""));
    }

    private static List<Probe> generated(Random random, List<URI> facades, List<URI> loggings) {
        List<Probe> probes = new ArrayList<>();
        for (int i = 0; i < GENERATED_BODIES; i++) {
            boolean toFacade = random.nextBoolean();
            URI target = toFacade ? facades.get(random.nextInt(facades.size())) : loggings.get(random.nextInt(loggings.size()));
            int kind = random.nextInt(6);
            String contentType;
            byte[] body;
            switch (kind) {
            case 0 -> {
                body = new byte[random.nextInt(4096)];
                random.nextBytes(body);
                contentType = pick(random, CONTENT_TYPES);
            }
            case 1 -> {
                body = bytes(json(randomJson(random, 0)));
                contentType = random.nextInt(10) == 0 ? pick(random, CONTENT_TYPES) : "application/json";
            }
            case 2 -> {
                body = bytes(randomForm(random));
                contentType = random.nextInt(10) == 0 ? pick(random, CONTENT_TYPES) : "application/x-www-form-urlencoded";
            }
            case 3 -> {
                int length = random.nextInt(3) == 0
                        ? pick(random, List.of(MAX_MESSAGE_LENGTH, MAX_MESSAGE_LENGTH + 1, 1024 * 1024 + 1))
                        : MAX_MESSAGE_LENGTH + 1 + random.nextInt(200_000);
                String text = randomLongText(random, length);
                boolean asJson = random.nextBoolean();
                body = bytes(asJson ? message(toFacade, text) : "msg=" + text);
                contentType = asJson ? "application/json" : "application/x-www-form-urlencoded";
            }
            case 4 -> {
                String text = randomUnicode(random, 1 + random.nextInt(200));
                boolean asJson = !toFacade || random.nextBoolean();
                body = asJson ? bytes(message(toFacade, text)) : bytes("msg=" + URLEncoder.encode(text, StandardCharsets.UTF_8));
                contentType = asJson ? "application/json" : "application/x-www-form-urlencoded";
            }
            default -> {
                ObjectNode document = JsonNodeFactory.instance.objectNode();
                document.set("uuid", randomValue(random, 1, true));
                document.set("msg", randomValue(random, 1, true));
                body = bytes(json(document));
                contentType = "application/json";
            }
            }
            String method = "POST";
            URI uri = target;
            if (random.nextInt(10) == 0) {
                method = pick(random, List.of("GET", "PUT", "DELETE", "PATCH", "OPTIONS", "FOO", "PROPFIND"));
                uri = target.resolve(pick(random, List.of("/facade", "/logging", "/messages", "/nope", "/settings",
                                                          "/facade/" + randomSegment(random),
                                                          "/" + randomSegment(random))));
            }
            probes.add(new Probe("generated #" + i + " (kind " + kind + ")", method, uri, contentType, body, 0));
        }
        return probes;
    }

    private static final List<String> CONTENT_TYPES = java.util.Arrays.asList(
            "application/json", "application/x-www-form-urlencoded", "text/plain", "application/octet-stream", null,
            ";;;", "application/", "application/json; charset=bogus", "application/json;;", "multipart/form-data",
            "application/x-www-form-urlencoded; charset=utf-16", "*/*", "application/json; charset=utf-16",
            "text/html; charset=\"unterminated");

    private static String message(boolean toFacade, String text) {
        ObjectNode document = JsonNodeFactory.instance.objectNode();
        if (!toFacade) {
            document.put("uuid", UUID.randomUUID().toString());
        }
        document.put("msg", text);
        return json(document);
    }

    private static JsonNode randomJson(Random random, int depth) {
        if (random.nextInt(4) > 0) {
            ObjectNode object = JsonNodeFactory.instance.objectNode();
            int fields = random.nextInt(5);
            for (int i = 0; i < fields; i++) {
                object.set(pick(random, List.of("msg", "uuid", "x", "MSG", randomUnicode(random, 5))), randomValue(random, depth + 1, false));
            }
            return object;
        }
        return randomValue(random, depth, false);
    }

    private static JsonNode randomValue(Random random, int depth, boolean usuallyValid) {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        int choice = usuallyValid && random.nextBoolean() ? 0 : random.nextInt(depth > 2 ? 7 : 9);
        return switch (choice) {
        case 0 -> nodes.textNode(random.nextInt(8) == 0 ? "" : "t-" + UUID.randomUUID());
        case 1 -> nodes.textNode(randomUnicode(random, random.nextInt(40)));
        case 2 -> nodes.numberNode(random.nextLong());
        case 3 -> nodes.numberNode(random.nextDouble() * 1e300);
        case 4 -> nodes.booleanNode(random.nextBoolean());
        case 5 -> nodes.nullNode();
        case 6 -> nodes.textNode(" ".repeat(random.nextInt(5)));
        case 7 -> {
            ArrayNode array = nodes.arrayNode();
            IntStream.range(0, random.nextInt(4)).forEach(i -> array.add(randomValue(random, depth + 1, false)));
            yield array;
        }
        default -> randomJson(random, depth + 1);
        };
    }

    private static String randomForm(Random random) {
        List<String> pairs = new ArrayList<>();
        int count = random.nextInt(5);
        for (int i = 0; i < count; i++) {
            String key = pick(random, List.of("msg", "msg", "uuid", "", "m%73g", randomAscii(random, 4)));
            String value = switch (random.nextInt(5)) {
            case 0 -> URLEncoder.encode(randomUnicode(random, random.nextInt(30)), StandardCharsets.UTF_8);
            case 1 -> randomAscii(random, random.nextInt(30));
            case 2 -> pick(random, List.of("%", "%zz", "%e2%82", "%ff%fe", "%00", "a%2", "+", "%2B%2b"));
            case 3 -> "";
            default -> "v" + i;
            };
            pairs.add(random.nextInt(8) == 0 ? key : key + "=" + value);
        }
        return String.join(pick(random, List.of("&", "&", "&&", ";", "&=")), pairs);
    }

    private static String randomLongText(Random random, int length) {
        char fill = (char) ('a' + random.nextInt(26));
        return String.valueOf(fill).repeat(length);
    }

    private static String randomAscii(Random random, int length) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++) {
            text.append((char) (32 + random.nextInt(95)));
        }
        return text.toString();
    }

    private static String randomSegment(Random random) {
        return URLEncoder.encode(randomUnicode(random, 1 + random.nextInt(12)), StandardCharsets.UTF_8).replace("+", "%20");
    }

    // Code points from many planes: ASCII, controls (NUL included), Latin-1, Cyrillic, Arabic (RTL),
    // CJK, combining marks, zero-width characters, emoji, lone surrogates and the replacement character.
    private static String randomUnicode(Random random, int length) {
        int[][] ranges = {{0x20, 0x7E}, {0x00, 0x1F}, {0xA0, 0xFF}, {0x400, 0x4FF}, {0x600, 0x6FF}, {0x4E00, 0x9FFF},
                {0x300, 0x36F}, {0x200B, 0x200F}, {0x1F300, 0x1FAFF}, {0xD800, 0xDFFF}, {0xFFFD, 0xFFFD}};
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++) {
            int[] range = ranges[random.nextInt(ranges.length)];
            text.appendCodePoint(range[0] + random.nextInt(range[1] - range[0] + 1));
        }
        return text.toString();
    }

    private static <T> T pick(Random random, List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    // A few at a time: enough to be quick, few enough not to turn this into a load test.
    private static List<Result> sendAll(List<Probe> probes) {
        try (ExecutorService senders = Executors.newFixedThreadPool(8, Thread.ofVirtual().factory())) {
            List<Future<Result>> results = probes.stream().map(probe -> senders.submit(() -> send(probe))).toList();
            return results.stream().map(result -> {
                try {
                    return result.get();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }).toList();
        }
    }

    private static Result send(Probe probe) {
        HttpRequest.Builder request = HttpRequest.newBuilder(probe.uri())
                .method(probe.method(), probe.body() == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(probe.body()));
        if (probe.contentType() != null) {
            request.header("Content-Type", probe.contentType());
        }
        probe.headers().forEach(request::header);
        try {
            HttpResponse<String> response = HTTP.send(request.timeout(Duration.ofSeconds(30)).build(),
                                                      HttpResponse.BodyHandlers.ofString());
            return new Result(probe, response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
                              response.body());
        } catch (java.io.IOException e) {
            return new Result(probe, -1, "", "no answer: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // Logging shares one read of the newest page for 50 ms, so a total may be that much behind another
    // instance's last write: wait it out before counting.
    private static long loggedThroughFacade() {
        try {
            Thread.sleep(150);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return read(get(facades().getFirst()).body()).get("total").get("logging").asLong();
    }

    // What the passing messages instances received, uuid -> msg, every page of each.
    private static Map<String, String> received() {
        Map<String, String> messages = new HashMap<>();
        for (JsonNode entry : passing("messages-service")) {
            URI page = instanceUri(entry, "/messages?limit=1000");
            while (page != null) {
                HttpResponse<String> answer = get(page);
                read(answer.body()).forEach(message -> messages.put(message.path("uuid").asText(), message.path("msg").asText()));
                URI current = page;
                page = answer.headers().firstValue("Link")
                        .map(link -> current.resolve(link.substring(link.indexOf('<') + 1, link.indexOf('>'))))
                        .orElse(null);
            }
        }
        return messages;
    }

    private static long total(HttpResponse<String> page) {
        return Long.parseLong(page.headers().firstValue("X-Total-Count").orElseThrow(
                () -> new AssertionError("no X-Total-Count on a " + page.statusCode() + ": " + abbreviate(page.body()))));
    }

    // ---- drill 7 --------------------------------------------------------------------------------

    private static boolean keepsAndReports(URI instance, String queue) {
        JsonNode settings = read(get(instance.resolve("/settings")).body());
        return settings.get("queue_name").asText().equals(queue)
                && !settings.get("problem").isNull()
                && settingsCheck(instance).has("problem");
    }

    private static JsonNode settingsCheck(URI instance) {
        for (JsonNode check : read(get(instance.resolve("/observe/health")).body()).get("checks")) {
            if (check.get("name").asText().equals("lab-settings")) {
                return check.path("data");
            }
        }
        throw new AssertionError("no lab-settings check at " + instance + "/observe/health");
    }

    private static String describe(Map<String, URI> instances, String path) {
        return instances.entrySet().stream()
                .map(entry -> {
                    try {
                        return entry.getKey() + ": " + get(entry.getValue().resolve(path)).body();
                    } catch (RuntimeException e) {
                        return entry.getKey() + ": " + e.getMessage();
                    }
                })
                .collect(Collectors.joining("\n"));
    }

    // ---- lab_settings and Consul ----------------------------------------------------------------

    private static String settings(String queue) {
        return LabProcesses.settings(cluster, members, queue, "drills-map");
    }

    private static Map<String, Integer> clusterNodes() {
        Map<String, Integer> nodes = new HashMap<>();
        read(consul.get("/v1/kv/cluster_nodes?raw")).fields()
                .forEachRemaining(entry -> nodes.put(entry.getKey(), entry.getValue().asInt()));
        return nodes;
    }

    private static Map<String, Integer> nodes(int... up) {
        Map<String, Integer> nodes = new HashMap<>();
        for (int i = 0; i < up.length; i++) {
            nodes.put(members.get(i), up[i]);
        }
        return nodes;
    }

    private static List<JsonNode> passing(String service) {
        return LabHttp.passing(consul, service);
    }

    private static Set<String> passingIds(String service) {
        return passing(service).stream().map(entry -> entry.get("Service").get("ID").asText()).collect(Collectors.toSet());
    }

    /** Every passing instance of the three services: Consul id to {@code http://host:port}. */
    private static Map<String, URI> passingInstances() {
        Map<String, URI> instances = new LinkedHashMap<>();
        for (String service : List.of("facade-service", "logging-service", "messages-service")) {
            passing(service).forEach(entry -> instances.put(entry.get("Service").get("ID").asText(), instanceUri(entry, "/")));
        }
        return instances;
    }

    private static List<URI> facades() {
        return passing("facade-service").stream().map(entry -> instanceUri(entry, "/facade")).toList();
    }

    // ---- HTTP and JSON --------------------------------------------------------------------------

    /** How many entries a {@code GET /logging} lists, or how it failed. */
    private static String entries(URI logging) {
        try {
            HttpResponse<String> response = get(logging);
            return response.statusCode() == 200 ? String.valueOf(total(response)) : "HTTP " + response.statusCode();
        } catch (RuntimeException e) {
            return "failed: " + e.getMessage();
        }
    }

    private static List<String> uuidList(JsonNode list) {
        List<String> uuids = new ArrayList<>();
        list.forEach(item -> uuids.add(item.get("uuid").asText()));
        return uuids;
    }

    private static HttpResponse<String> post(URI uri, String contentType, String body) {
        return send(HttpRequest.newBuilder(uri).header("Content-Type", contentType)
                            .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private static HttpResponse<String> get(URI uri) {
        return send(HttpRequest.newBuilder(uri).GET());
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return HTTP.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e.toString(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    // Short and printable: random bytes in a failure message are no help.
    private static String abbreviate(String text) {
        String shown = (text.length() <= 200 ? text : text.substring(0, 200))
                .codePoints()
                .map(c -> Character.isISOControl(c) || c == 0xFFFD ? '.' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
                .toString();
        return text.length() <= 200 ? shown : shown + "... (" + text.length() + " chars)";
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("Not JSON: " + abbreviate(json), e);
        }
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
