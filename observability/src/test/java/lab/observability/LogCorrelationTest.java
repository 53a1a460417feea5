package lab.observability;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import io.helidon.http.Status;
import io.helidon.logging.common.HelidonMdc;
import io.helidon.logging.jul.HelidonFormatter;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import lab.observability.testing.InMemoryTelemetry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/**
 * Log lines written while a request or a queue message is handled carry its trace id and span id,
 * as the services' {@code logging.properties} format prints them through Helidon's formatter.
 */
@ServerTest
class LogCorrelationTest {

    private static final InMemoryTelemetry TELEMETRY = new InMemoryTelemetry();
    private static final System.Logger LOGGER = System.getLogger(LogCorrelationTest.class.getName());
    // JUL holds loggers weakly: keep ours, or the capturing handler could go with it.
    private static final Logger JUL_LOGGER = Logger.getLogger(LogCorrelationTest.class.getName());
    private static final Capture CAPTURE = new Capture(helidonFormatter("%X{trace_id} %X{span_id} %5$s%n"));

    static {
        JUL_LOGGER.addHandler(CAPTURE);
    }

    private final Http1Client client;

    LogCorrelationTest(Http1Client client) {
        this.client = client;
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        routing.addFilter(ServerTracing.create(TELEMETRY.openTelemetry()))
                .get("/hello", (req, res) -> {
                    LOGGER.log(System.Logger.Level.INFO, "handling hello");
                    res.send("hi");
                })
                .get("/fan-out", (req, res) -> {
                    try (java.util.concurrent.ExecutorService calls = TracedExecutors.virtualThreadPerTask()) {
                        calls.submit(() -> LOGGER.log(System.Logger.Level.INFO, "on another thread"));
                    }
                    res.send("done");
                });
    }

    @AfterAll
    static void removeCapture() {
        JUL_LOGGER.removeHandler(CAPTURE);
    }

    @BeforeEach
    void reset() {
        TELEMETRY.reset();
        CAPTURE.lines.clear();
    }

    @Test
    void aRequestsLogLineCarriesTheServerSpansIds() {
        assertThat(client.get("/hello").request(String.class).status(), is(Status.OK_200));

        SpanData server = TELEMETRY.await("SERVER", span -> span.getKind() == SpanKind.SERVER);
        assertThat(CAPTURE.lines, is(List.of(server.getTraceId() + " " + server.getSpanId() + " handling hello\n")));
    }

    @Test
    void aTaskOnATracedExecutorLogsTheRequestsIds() {
        assertThat(client.get("/fan-out").request(String.class).status(), is(Status.OK_200));

        SpanData server = TELEMETRY.await("SERVER", span -> span.getKind() == SpanKind.SERVER);
        assertThat(CAPTURE.lines, is(List.of(server.getTraceId() + " " + server.getSpanId() + " on another thread\n")));
    }

    @Test
    void requestsOnOneKeptAliveConnectionEachLogTheirOwnTrace() {
        String first = loggedTraceIdOfOneRequest();
        String second = loggedTraceIdOfOneRequest();
        assertThat(first, not(is(second)));
    }

    @Test
    void aQueueMessagesLogLineCarriesTheConsumerSpansIdsAndTheMdcIsRestoredAfterwards() {
        HelidonMdc.set(LogCorrelation.TRACE_ID, "outer-trace");
        try {
            QueueTracing.Consumer consumer = new QueueTracing.Consumer("messages-service", "consumer-1");
            QueueTracing.create(TELEMETRY.openTelemetry()).process("q", "m-1", Map.of(), consumer, () -> {
                LOGGER.log(System.Logger.Level.INFO, "processing m-1");
                return null;
            });

            SpanData span = TELEMETRY.await("CONSUMER", it -> it.getKind() == SpanKind.CONSUMER);
            assertThat(CAPTURE.lines, is(List.of(span.getTraceId() + " " + span.getSpanId() + " processing m-1\n")));
            assertThat(HelidonMdc.get(LogCorrelation.TRACE_ID).orElse(null), is("outer-trace"));
            assertThat(HelidonMdc.get(LogCorrelation.SPAN_ID).isPresent(), is(false));
        } finally {
            HelidonMdc.remove(LogCorrelation.TRACE_ID);
        }
    }

    // One request on the client's kept-alive connection: its line names its own server span's trace.
    private String loggedTraceIdOfOneRequest() {
        reset();
        client.get("/hello").request(String.class);
        SpanData server = TELEMETRY.await("SERVER", span -> span.getKind() == SpanKind.SERVER);
        assertThat(CAPTURE.lines, is(List.of(server.getTraceId() + " " + server.getSpanId() + " handling hello\n")));
        return server.getTraceId();
    }

    /**
     * A HelidonFormatter for {@code format}: it reads its format from the JUL configuration when
     * built, so the format is put there only for that moment and the test JVM's own is restored.
     */
    private static Formatter helidonFormatter(String format) {
        String key = "java.util.logging.SimpleFormatter.format";
        String previous = LogManager.getLogManager().getProperty(key);
        setProperty(key, format);
        try {
            return new HelidonFormatter();
        } finally {
            setProperty(key, previous);
        }
    }

    // updateConfiguration only visits keys of the old or the new configuration: name ours in the new one.
    private static void setProperty(String key, String value) {
        Properties configuration = new Properties();
        if (value != null) {
            configuration.setProperty(key, value);
        }
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            configuration.store(bytes, null);
            LogManager.getLogManager().updateConfiguration(
                    new ByteArrayInputStream(bytes.toByteArray()),
                    property -> property.equals(key)
                            ? (BiFunction<String, String, String>) (old, configured) -> value
                            : (old, configured) -> old);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Formats on the logging thread, where the MDC is, and keeps the lines.
     */
    private static final class Capture extends Handler {

        private final List<String> lines = new CopyOnWriteArrayList<>();

        private Capture(Formatter formatter) {
            setFormatter(formatter);
        }

        @Override
        public void publish(LogRecord record) {
            lines.add(getFormatter().format(record));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }
}
