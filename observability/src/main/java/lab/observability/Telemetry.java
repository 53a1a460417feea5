package lab.observability;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.exporter.prometheus.PrometheusMetricReader;
import io.opentelemetry.instrumentation.runtimemetrics.java8.Classes;
import io.opentelemetry.instrumentation.runtimemetrics.java8.Cpu;
import io.opentelemetry.instrumentation.runtimemetrics.java8.GarbageCollector;
import io.opentelemetry.instrumentation.runtimemetrics.java8.MemoryPools;
import io.opentelemetry.instrumentation.runtimemetrics.java8.Threads;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;

/**
 * The one place the OpenTelemetry SDK is set up, from the standard {@code OTEL_*} environment
 * variables and {@code otel.*} system properties ({@code OTEL_SERVICE_NAME},
 * {@code OTEL_EXPORTER_OTLP_ENDPOINT}, {@code OTEL_EXPORTER_OTLP_PROTOCOL}, {@code OTEL_TRACES_SAMPLER},
 * {@code OTEL_METRICS_EXPORTER}, {@code OTEL_SDK_DISABLED}, ...): one SDK for traces and metrics,
 * so a histogram's exemplars carry the trace id of the request they measured.
 * <p>
 * Defaults chosen here: the service name is the Consul service name, {@code service.instance.id}
 * is the Consul service id; traces are exported by OTLP (http/protobuf, port 4318) only when an
 * OTLP endpoint is configured, so a laptop without Jaeger does not log export failures; metrics
 * are always read by {@link #metricsEndpoint()} ({@code /observe/metrics}, pulled by Prometheus)
 * and pushed by OTLP too only when {@code OTEL_METRICS_EXPORTER=otlp} asks ({@code LAB_METRICS=off}
 * turns the endpoint off: every meter is then a no-op, which is what the benchmark compares with);
 * logs are not exported. The JVM's own meters (memory pools, GC, threads, classes, CPU) are
 * registered with the SDK.
 */
public final class Telemetry {

    static final AttributeKey<String> SERVICE_INSTANCE_ID = AttributeKey.stringKey("service.instance.id");

    private final OpenTelemetry openTelemetry;
    private final PrometheusMetricReader prometheus;  // null when LAB_METRICS=off

    private Telemetry(OpenTelemetry openTelemetry, PrometheusMetricReader prometheus) {
        this.openTelemetry = openTelemetry;
        this.prometheus = prometheus;
    }

    /**
     * Builds the SDK for one service instance.
     *
     * @param serviceName Consul service name, the default {@code service.name}
     * @param instanceId  Consul service id, the {@code service.instance.id}
     * @return telemetry; a no-op SDK when {@code OTEL_SDK_DISABLED=true}
     */
    public static Telemetry create(String serviceName, String instanceId) {
        Map<String, String> defaults = new HashMap<>();
        defaults.put("otel.service.name", serviceName);
        if (setting("otel.metrics.exporter").isEmpty()) {
            defaults.put("otel.metrics.exporter", "none");
        }
        defaults.put("otel.logs.exporter", "none");
        defaults.put("otel.exporter.otlp.protocol", "http/protobuf");
        if (setting("otel.exporter.otlp.endpoint").isEmpty() && setting("otel.exporter.otlp.traces.endpoint").isEmpty()) {
            defaults.put("otel.traces.exporter", "none");
        }
        boolean metrics = !"off".equalsIgnoreCase(setting("lab.metrics").orElse("on"));
        // otel_scope_* labels on every series would only repeat which class of ours recorded it
        PrometheusMetricReader prometheus = metrics ? PrometheusMetricReader.builder().setOtelScopeLabelsEnabled(false).build() : null;
        OpenTelemetrySdk sdk = AutoConfiguredOpenTelemetrySdk.builder()
                .addPropertiesSupplier(() -> defaults)
                .addResourceCustomizer((resource, properties) -> resource.merge(
                        Resource.create(Attributes.of(SERVICE_INSTANCE_ID, instanceId))))
                .addMeterProviderCustomizer((meters, properties) -> metrics ? meters.registerMetricReader(prometheus) : meters)
                .build()
                .getOpenTelemetrySdk();
        if (metrics) {
            Classes.registerObservers(sdk);
            Cpu.registerObservers(sdk);
            GarbageCollector.registerObservers(sdk);
            MemoryPools.registerObservers(sdk);
            Threads.registerObservers(sdk);
        }
        return new Telemetry(sdk, prometheus);
    }

    /**
     * The SDK, for tracers and meters.
     *
     * @return OpenTelemetry
     */
    public OpenTelemetry openTelemetry() {
        return openTelemetry;
    }

    /**
     * {@code GET /observe/metrics}: every meter of this SDK in Prometheus or OpenMetrics text.
     *
     * @return handler
     */
    public Handler metricsEndpoint() {
        if (prometheus == null) {
            return (req, res) -> res.status(Status.NOT_FOUND_404).header(HeaderValues.CONTENT_TYPE_JSON)
                    .send("{\"error\": \"metrics are off on this instance (LAB_METRICS=off)\"}");
        }
        return MetricsEndpoint.create(prometheus);
    }

    private static Optional<String> setting(String property) {
        String environmentName = property.toUpperCase().replace('.', '_');
        return Optional.ofNullable(System.getProperty(property))
                .or(() -> Optional.ofNullable(System.getenv(environmentName)))
                .filter(it -> !it.isBlank());
    }
}
