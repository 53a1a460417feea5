package lab.compose;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import lab.launcher.Eventually;
import lab.launcher.LabPrometheus;
import lab.testing.ConsulAgent;
import lab.testing.FreePorts;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import static lab.compose.LabHttp.FORM;
import static lab.compose.LabHttp.read;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A real Prometheus (Debian's package, which has no Consul discovery) scraping the lab through
 * the targets {@code PrometheusTargets} writes from Consul's {@code ?passing} answers, as
 * {@code local.sh up} runs it: every instance is a target and up, the RED series of
 * {@code POST /facade} count what was posted, the failover counter counts the retries after a
 * kill -9 of a logging instance, and the killed instance leaves the targets once Consul drops it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LabMetricsIT {

    @RegisterExtension
    @Order(1)
    static final ConsulAgent consul = ConsulAgent.perClass();
    @RegisterExtension
    @Order(2)
    static final LabProcesses lab = new LabProcesses("metrics");

    private static final Duration SCRAPED = Duration.ofSeconds(30);
    private static URI prometheus;

    @BeforeAll
    static void startTheLabAndPrometheus() {
        Path binary = LabPrometheus.binary().orElseGet(() -> fail(
                "prometheus is not installed: run compose/install-test-tools.sh (Debian's prometheus package) or set PROMETHEUS_BIN"));
        String cluster = "metrics-" + consul.httpPort();
        List<String> members = lab.startHazelcast(cluster, 1);
        consul.put("/v1/kv/lab_settings", LabProcesses.settings(cluster, members, "metrics-queue", "metrics-map"));
        lab.startServices(consul, Map.of(), 1, 2, 1);
        Path dir = LabProcesses.REPO.resolve("compose/target/lab-logs/metrics/prometheus");
        LabPrometheus.writeConfig(dir);
        String address = "127.0.0.1:" + FreePorts.next();
        prometheus = URI.create("http://" + address);
        lab.supervisor().start("prometheus-targets", LabPrometheus.targetsCommand(URI.create("http://" + consul.address()), dir),
                               Map.of());
        lab.supervisor().start("prometheus", LabPrometheus.command(binary, dir, address), Map.of());
    }

    @Test
    @Order(1)
    void everyInstanceIsATargetFoundThroughConsulAndUp() {
        Set<String> ids = Set.of("facade-1", "logging-1", "logging-2", "messages-1").stream()
                .map(name -> lab.awaitRegistration(name).id()).collect(Collectors.toSet());
        Eventually.await(SCRAPED, () -> upTargets().equals(ids) ? Boolean.TRUE : null,
                         () -> "targets " + ids + " all up in Prometheus; it has " + targets() + lab.logTail("prometheus"));
        JsonNode target = targets().get(0);
        assertThat(target.path("labels").path("service").asText().endsWith("-service"), is(true));
        assertThat(target.path("scrapeUrl").asText().endsWith("/observe/metrics"), is(true));
    }

    @Test
    @Order(2)
    void postsShowAsRedSeriesAndARetryAfterAKillAsAFailover() {
        URI facade = lab.awaitRegistration("facade-1").uri().resolve("/facade");
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> posted = LabHttp.post(facade, FORM, "msg=counted-" + i);
            assertThat(posted.body(), posted.statusCode(), is(201));
        }
        String posts = "sum(http_server_request_duration_seconds_count{service=\"facade-service\",http_route=\"/facade\","
                + "http_request_method=\"POST\",http_response_status_code=\"201\"})";
        Eventually.await(SCRAPED, () -> value(posts) == 20 ? Boolean.TRUE : null, () -> posts + " = 20; it is " + value(posts));
        String stored = "sum(http_server_request_duration_seconds_count{service=\"logging-service\",http_route=\"/logging\","
                + "http_request_method=\"POST\"})";
        Eventually.await(SCRAPED, () -> value(stored) == 20 ? Boolean.TRUE : null, () -> stored + " = 20; it is " + value(stored));
        String calls = "sum(http_client_request_duration_seconds_count{service=\"facade-service\",lab_peer_service=\"logging-service\"})";
        Eventually.await(SCRAPED, () -> value(calls) == 20 ? Boolean.TRUE : null, () -> calls + " = 20; it is " + value(calls));

        // kill -9 one logging instance: until Consul drops it (one TTL), the facade's picks that land on it are retried
        lab.kill("logging-1");
        int failed = 0;
        for (int i = 0; i < 30; i++) {
            if (LabHttp.post(facade, FORM, "msg=after-kill-" + i).statusCode() != 201) {
                failed++;
            }
        }
        assertThat("every POST answered 201", failed, is(0));
        String retried = "sum(lab_failover_attempts_total{service=\"facade-service\",lab_peer_service=\"logging-service\","
                + "outcome=\"retried\"})";
        double own = ownCounter(facade.resolve("/observe/metrics"));
        assertThat("the facade retried on the other instance", own, greaterThan(0.0));
        Eventually.await(SCRAPED, () -> value(retried) == own ? Boolean.TRUE : null,
                         () -> retried + " = " + own + " (the facade's own count); it is " + value(retried));
        System.out.printf("metrics: %s = %.0f after kill -9 of logging-1, 30 POSTs, 0 failed%n", retried, own);
    }

    @Test
    @Order(3)
    void aKilledInstanceLeavesTheTargetsOnceConsulDropsIt() {
        String killed = lab.awaitRegistration("logging-1").id();
        Eventually.await(SCRAPED, () -> upTargets().contains(killed) || allTargets().contains(killed) ? null : Boolean.TRUE,
                         () -> killed + " gone from the targets; they are " + allTargets());
        assertThat(upTargets().size(), is(3));
    }

    private static JsonNode targets() {
        return read(LabHttp.get(prometheus.resolve("/api/v1/targets?state=active")).body()).path("data").path("activeTargets");
    }

    private static Set<String> upTargets() {
        List<String> up = new ArrayList<>();
        targets().forEach(target -> {
            if (target.path("health").asText().equals("up")) {
                up.add(target.path("labels").path("instance_id").asText());
            }
        });
        return Set.copyOf(up);
    }

    private static Set<String> allTargets() {
        List<String> all = new ArrayList<>();
        targets().forEach(target -> all.add(target.path("labels").path("instance_id").asText()));
        return Set.copyOf(all);
    }

    private static double value(String query) {
        JsonNode result = read(LabHttp.get(prometheus.resolve("/api/v1/query?query="
                + URLEncoder.encode(query, StandardCharsets.UTF_8))).body()).path("data").path("result");
        return result.isEmpty() ? -1 : result.get(0).path("value").get(1).asDouble();
    }

    // lab_failover_attempts_total{...outcome="retried"...} as the facade itself reports it
    private static double ownCounter(URI metrics) {
        return LabHttp.get(metrics).body().lines()
                .filter(line -> line.startsWith("lab_failover_attempts_total{") && line.contains("outcome=\"retried\""))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }
}
