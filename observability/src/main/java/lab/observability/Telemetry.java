package lab.observability;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;

/**
 * The one place the OpenTelemetry SDK is set up, from the standard {@code OTEL_*} environment
 * variables and {@code otel.*} system properties ({@code OTEL_SERVICE_NAME},
 * {@code OTEL_EXPORTER_OTLP_ENDPOINT}, {@code OTEL_EXPORTER_OTLP_PROTOCOL}, {@code OTEL_TRACES_SAMPLER},
 * {@code OTEL_SDK_DISABLED}, ...).
 * <p>
 * Defaults chosen here: the service name is the Consul service name, {@code service.instance.id}
 * is the Consul service id, metrics and logs are not exported, and traces are exported by OTLP
 * (http/protobuf, port 4318) only when an OTLP endpoint is configured, so a laptop without Jaeger
 * does not log export failures.
 */
public final class Telemetry {

    static final AttributeKey<String> SERVICE_INSTANCE_ID = AttributeKey.stringKey("service.instance.id");

    private Telemetry() {
    }

    /**
     * Builds the SDK for one service instance.
     *
     * @param serviceName Consul service name, the default {@code service.name}
     * @param instanceId  Consul service id, the {@code service.instance.id}
     * @return OpenTelemetry, a no-op one when {@code OTEL_SDK_DISABLED=true}
     */
    public static OpenTelemetry create(String serviceName, String instanceId) {
        Map<String, String> defaults = new HashMap<>();
        defaults.put("otel.service.name", serviceName);
        defaults.put("otel.metrics.exporter", "none");
        defaults.put("otel.logs.exporter", "none");
        defaults.put("otel.exporter.otlp.protocol", "http/protobuf");
        if (setting("otel.exporter.otlp.endpoint").isEmpty() && setting("otel.exporter.otlp.traces.endpoint").isEmpty()) {
            defaults.put("otel.traces.exporter", "none");
        }
        return AutoConfiguredOpenTelemetrySdk.builder()
                .addPropertiesSupplier(() -> defaults)
                .addResourceCustomizer((resource, properties) -> resource.merge(
                        Resource.create(Attributes.of(SERVICE_INSTANCE_ID, instanceId))))
                .build()
                .getOpenTelemetrySdk();
    }

    private static Optional<String> setting(String property) {
        String environmentName = property.toUpperCase().replace('.', '_');
        return Optional.ofNullable(System.getProperty(property))
                .or(() -> Optional.ofNullable(System.getenv(environmentName)))
                .filter(it -> !it.isBlank());
    }
}
