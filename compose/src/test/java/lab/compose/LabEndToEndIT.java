package lab.compose;

import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import lab.testing.ConsulAgent;
import lab.testing.Eventually;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import static lab.compose.LabHttp.get;
import static lab.compose.LabHttp.instanceUri;
import static lab.compose.LabHttp.json;
import static lab.compose.LabHttp.post;
import static lab.compose.LabHttp.read;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/**
 * The lab's scenario on real parts, every piece its own process: a Consul agent, a 3-member
 * Hazelcast cluster, 2 facade, 3 logging and 2 messages instances from the built jars.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LabEndToEndIT {

    private static final Duration TTL = Duration.ofSeconds(5);

    private static ConsulAgent consul;
    private static LabProcesses lab;
    private static final List<String> POSTED = new ArrayList<>();

    @BeforeAll
    static void startTheLab() {
        consul = ConsulAgent.start();
        lab = new LabProcesses("e2e");
        String cluster = "e2e-" + consul.httpPort();
        List<String> members = lab.startHazelcast(cluster, 3);
        consul.put("/v1/kv/lab_settings", """
                {"cluster_name": "%s",
                 "queue_name": "message-distributed-queue",
                 "map_name": "message-distributed-map",
                 "hazelcast_members": %s,
                 "api-endpoints": {"facade": "/facade", "logging": "/logging", "messages": "/messages"}}
                """.formatted(cluster, json(members)));
        for (int i = 1; i <= 3; i++) {
            lab.startService("logging", "logging-" + i, consul.address(), Map.of());
        }
        for (int i = 1; i <= 2; i++) {
            lab.startService("messages", "messages-" + i, consul.address(), Map.of());
            lab.startService("facade", "facade-" + i, consul.address(), Map.of());
        }
        lab.awaitPassing(consul, Duration.ofSeconds(120), 2, 3, 2);
    }

    @AfterAll
    static void stopTheLab() {
        if (lab != null) {
            lab.close();
        }
        if (consul != null) {
            consul.close();
        }
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
                 "hazelcast_members": %s}
                """.formatted(cluster, json(members)));
        long put = System.nanoTime();
        List<URI> everyInstance = new ArrayList<>();
        for (String service : List.of("facade-service", "logging-service", "messages-service")) {
            passing(service).forEach(entry -> everyInstance.add(instanceUri(entry, "/settings")));
        }
        Eventually.await(Duration.ofSeconds(10), () -> everyInstance.stream()
                                 .allMatch(uri -> read(get(uri).body()).get("queue_name").asText().equals("switched-queue")),
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
    }

    @Test
    @Order(4)
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
    @Order(5)
    void sigtermedFacadeDeregistersAtOnce() throws InterruptedException {
        Process facade = lab.process("facade-2");
        int before = passing("facade-service").size();
        facade.destroy();
        assertThat("facade exits on SIGTERM", facade.waitFor(15, java.util.concurrent.TimeUnit.SECONDS), is(true));
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

    private static Set<String> uuids(JsonNode list) {
        Set<String> uuids = new HashSet<>();
        list.forEach(item -> uuids.add(item.get("uuid").asText()));
        return uuids;
    }
}
