package lab.observability;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import io.opentelemetry.api.trace.Span;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/**
 * {@code /observe/metrics} of a real SDK ({@link Telemetry}): the RED histogram per route and
 * status, exemplars that carry the request's trace id, JVM meters, and scrapes and health checks
 * left out of both the histogram and the traces.
 */
@ServerTest
class MetricsTest {

    private static final Telemetry TELEMETRY = Telemetry.create("metrics-test", "metrics-test-1");
    private static final List<String> TRACE_IDS = new java.util.concurrent.CopyOnWriteArrayList<>();

    private final Http1Client client;

    MetricsTest(Http1Client client) {
        this.client = client;
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        routing.addFilter(ServerTracing.create(TELEMETRY.openTelemetry()))
                .addFilter(ServerMetrics.create(TELEMETRY.openTelemetry()))
                .get("/items/{id}", (req, res) -> {
                    TRACE_IDS.add(Span.current().getSpanContext().getTraceId());
                    res.send("item");
                })
                .get("/boom", (req, res) -> res.status(Status.INTERNAL_SERVER_ERROR_500).send("no"))
                .get("/observe/health/live", (req, res) -> res.send("UP"))
                .get("/observe/metrics", TELEMETRY.metricsEndpoint());
    }

    @Test
    void aHistogramPerRouteAndStatusWithExemplarsAndNothingOfObserve() {
        for (int i = 0; i < 3; i++) {
            get("/items/" + i, "text/plain");
        }
        // Exemplars are those of the requests since the last scrape: this one is first.
        String open = get("/observe/metrics", "application/openmetrics-text; version=1.0.0");
        get("/boom", "text/plain");
        for (int i = 0; i < 5; i++) {
            get("/observe/health/live", "text/plain");
            get("/observe/metrics", "text/plain");
        }
        String text = get("/observe/metrics", "text/plain");
        assertThat(text, containsString("# TYPE http_server_request_duration_seconds histogram"));
        assertThat(count(text, "http_route=\"/items/{id}\"", "http_response_status_code=\"200\""), is(3L));
        assertThat(count(text, "http_route=\"/boom\"", "error_type=\"500\""), is(1L));
        assertThat("scrapes and health checks are not the lab's traffic", text, not(containsString("/observe")));
        assertThat("the JVM's meters", text, containsString("jvm_memory_used_bytes"));

        Matcher exemplar = Pattern.compile("http_server_request_duration_seconds_bucket\\{[^}]*http_route=\"/items/\\{id}\"[^}]*} \\d+ "
                                                   + "# \\{[^}]*trace_id=\"([0-9a-f]{32})\"").matcher(open);
        assertThat("an exemplar on a bucket of /items/{id}:\n" + open, exemplar.find(), is(true));
        assertThat("it names the trace of one of those requests", TRACE_IDS.contains(exemplar.group(1)), is(true));
    }

    // A scrape every 2 s on every instance: what it costs is what it sends and the snapshot it reads, not a
    // multiple of them (it was ~10 MB per 26 KB answer in a lab facade, from a writer's buffer grown a few chars at a time).
    @Test
    void aScrapeAllocatesLittleBesideItsAnswer() {
        get("/items/1", "text/plain");
        get("/observe/metrics", "text/plain");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getTotalThreadAllocatedBytes();
        long answered = 0;
        for (int i = 0; i < 10; i++) {
            answered += get("/observe/metrics", "text/plain").length();
        }
        long perScrape = (threads.getTotalThreadAllocatedBytes() - before) / 10;
        assertThat("bytes allocated per scrape of a " + answered / 10 + "-byte answer: " + perScrape,
                   perScrape < 1_000_000, is(true));
    }

    private String get(String path, String accept) {
        try (HttpClientResponse response = client.get(path).header(HeaderNames.ACCEPT, accept).request()) {
            return response.as(String.class);
        }
    }

    // the _count of the series that has all these labels
    private static long count(String text, String... labels) {
        return text.lines()
                .filter(line -> line.startsWith("http_server_request_duration_seconds_count{"))
                .filter(line -> java.util.Arrays.stream(labels).allMatch(line::contains))
                .mapToLong(line -> (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }
}
