package lab.facade;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webserver.WebServer;
import io.opentelemetry.api.OpenTelemetry;
import lab.consul.ConsulClients;
import lab.consul.discovery.HealthyInstances;
import lab.consul.discovery.Registrar;
import lab.consul.discovery.ServiceRegistration;
import lab.consul.discovery.TtlStatus;
import lab.launcher.Eventually;
import lab.testing.ConsulAgent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

/**
 * Calls to a downstream instance over Helidon's pooled connections, against a real Consul agent and a
 * real HTTP server.
 */
class DownstreamTest {

    private static final Duration ANSWER_AFTER = Duration.ofMillis(300);
    // Helidon's idle watch reads in slices of 101 ms until the read timeout the connection last had
    private static final Duration IDLE_WATCH = Duration.ofMillis(505);
    private static final ConsulAgent CONSUL = ConsulAgent.start();
    private static final AtomicInteger ON_NEW_CONNECTIONS = new AtomicInteger();
    private static final WebServer SLOW = WebServer.builder()
            .routing(routing -> routing.get("/quick", (req, res) -> res.send()).post("/slow", (req, res) -> {
                req.content().consume();
                if (req.headers().first(HeaderNames.CONNECTION).filter("close"::equalsIgnoreCase).isPresent()) {
                    ON_NEW_CONNECTIONS.incrementAndGet();
                }
                Thread.sleep(ANSWER_AFTER);
                res.status(Status.OK_200).send();
            }))
            .build()
            .start();
    private static final Registrar REGISTRATION = Registrar.create(
            ConsulClients.create(CONSUL.endpoint()),
            new ServiceRegistration("slow-service", "slow-1", "127.0.0.1", SLOW.port(), Duration.ofSeconds(30),
                                    Duration.ofMinutes(1), Map.of(), List.of("lab")),
            () -> TtlStatus.PASSING).start();

    @AfterAll
    static void stopEverything() {
        REGISTRATION.close();
        SLOW.stop();
        CONSUL.close();
    }

    @Test
    void aPooledConnectionWhoseIdleWatchGaveUpIsNotAFailedCall() throws InterruptedException {
        Http1Client http = Downstream.httpClient(OpenTelemetry.noop());
        try (HealthyInstances instances = HealthyInstances.create(CONSUL.endpoint(), "slow-service")) {
            Eventually.await(Duration.ofSeconds(10), () -> instances.all().size() == 1, "the instance discovered");
            Downstream slow = Downstream.create(http, instances, () -> "/slow", OpenTelemetry.noop());
            int calls = 8;
            for (int i = 0; i < calls; i++) {
                // A call with a short read timeout pools its connection, whose idle watch then gives up after
                // that timeout; the next call takes the connection in the watch's last slice, and is answered
                // after the slice ends.
                try (HttpClientResponse primed = http.get("http://127.0.0.1:" + SLOW.port() + "/quick")
                        .readTimeout(IDLE_WATCH).request()) {
                    assertThat(primed.status(), is(Status.OK_200));
                }
                Thread.sleep(IDLE_WATCH.minusMillis(50));
                Status status = slow.exchange(Method.POST, "call-" + i, (instance, resendCount, response) -> response.status());
                assertThat(status, is(Status.OK_200));
            }
            assertThat("calls asked again on a new connection (the case this is about happened)", ON_NEW_CONNECTIONS.get(),
                       greaterThan(0));
        }
    }
}
