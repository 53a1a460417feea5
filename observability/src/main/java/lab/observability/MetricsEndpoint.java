package lab.observability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.opentelemetry.exporter.prometheus.PrometheusMetricReader;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;

/**
 * {@code GET /observe/metrics}: what the SDK's meters hold now, in the format the scraper asks
 * for — Prometheus text by default, OpenMetrics (with exemplars) for
 * {@code Accept: application/openmetrics-text}, as Prometheus itself asks.
 */
public final class MetricsEndpoint implements Handler {

    private static final ExpositionFormats FORMATS = ExpositionFormats.init();

    private final PrometheusMetricReader reader;

    private MetricsEndpoint(PrometheusMetricReader reader) {
        this.reader = reader;
    }

    static MetricsEndpoint create(PrometheusMetricReader reader) {
        return new MetricsEndpoint(reader);
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) {
        ExpositionFormatWriter writer = FORMATS.findWriter(req.headers().first(HeaderNames.ACCEPT).orElse(null));
        ByteArrayOutputStream body = new ByteArrayOutputStream(16 * 1024);
        try {
            writer.write(body, reader.collect());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        res.header(HeaderNames.CONTENT_TYPE, writer.getContentType()).send(body.toByteArray());
    }
}
