package lab.compose;

import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.helidon.common.media.type.MediaType;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;

/**
 * The smallest OTLP/HTTP trace collector: {@code POST /v1/traces} with an
 * {@code ExportTraceServiceRequest} in protobuf (the services' default protocol), every span kept
 * with the resource attributes of the process that sent it.
 */
final class OtlpReceiver implements AutoCloseable {

    private static final HexFormat HEX = HexFormat.of();
    private static final MediaType PROTOBUF = MediaTypes.create("application/x-protobuf");

    private final List<ReceivedSpan> spans = new CopyOnWriteArrayList<>();
    private final WebServer server;

    private OtlpReceiver() {
        this.server = WebServer.builder()
                .host("127.0.0.1")
                .port(0)
                .routing(routing -> routing.post("/v1/traces", this::export))
                .build();
    }

    /**
     * Starts a receiver on a free port of 127.0.0.1.
     *
     * @return running receiver
     */
    static OtlpReceiver start() {
        OtlpReceiver receiver = new OtlpReceiver();
        receiver.server.start();
        return receiver;
    }

    /**
     * What {@code OTEL_EXPORTER_OTLP_ENDPOINT} should say: the SDK appends {@code /v1/traces}.
     *
     * @return base URL
     */
    String endpoint() {
        return "http://127.0.0.1:" + server.port();
    }

    /**
     * Spans received so far, in arrival order.
     *
     * @return snapshot
     */
    List<ReceivedSpan> spans() {
        return List.copyOf(spans);
    }

    @Override
    public void close() {
        server.stop();
    }

    private void export(ServerRequest req, ServerResponse res) {
        if (!req.headers().contentType().map(type -> type.test(PROTOBUF)).orElse(false)) {
            res.status(Status.UNSUPPORTED_MEDIA_TYPE_415).send();
            return;
        }
        ExportTraceServiceRequest export;
        try {
            export = ExportTraceServiceRequest.parseFrom(req.content().as(byte[].class));
        } catch (InvalidProtocolBufferException e) {
            res.status(Status.BAD_REQUEST_400).send();
            return;
        }
        for (ResourceSpans resourceSpans : export.getResourceSpansList()) {
            Map<String, AnyValue> resource = attributes(resourceSpans.getResource().getAttributesList());
            for (ScopeSpans scopeSpans : resourceSpans.getScopeSpansList()) {
                scopeSpans.getSpansList().forEach(span -> spans.add(new ReceivedSpan(resource, span)));
            }
        }
        res.headers().contentType(PROTOBUF);
        res.send(ExportTraceServiceResponse.getDefaultInstance().toByteArray());
    }

    private static Map<String, AnyValue> attributes(List<KeyValue> keyValues) {
        Map<String, AnyValue> attributes = new HashMap<>();
        keyValues.forEach(keyValue -> attributes.put(keyValue.getKey(), keyValue.getValue()));
        return attributes;
    }

    private static String hex(ByteString bytes) {
        return HEX.formatHex(bytes.toByteArray());
    }

    /**
     * One span as exported, with its process's resource.
     *
     * @param resource resource attributes ({@code service.name}, {@code service.instance.id}, ...)
     * @param span     the span
     */
    record ReceivedSpan(Map<String, AnyValue> resource, Span span) {

        String serviceName() {
            return resourceText("service.name");
        }

        String instanceId() {
            return resourceText("service.instance.id");
        }

        String name() {
            return span.getName();
        }

        Span.SpanKind kind() {
            return span.getKind();
        }

        String traceId() {
            return hex(span.getTraceId());
        }

        String spanId() {
            return hex(span.getSpanId());
        }

        /**
         * Parent span id, empty for a root span.
         */
        String parentSpanId() {
            return hex(span.getParentSpanId());
        }

        Optional<AnyValue> attribute(String key) {
            return span.getAttributesList().stream()
                    .filter(keyValue -> keyValue.getKey().equals(key))
                    .map(KeyValue::getValue)
                    .findFirst();
        }

        /**
         * A string attribute, or null when missing or of another type.
         */
        String text(String key) {
            return attribute(key).filter(AnyValue::hasStringValue).map(AnyValue::getStringValue).orElse(null);
        }

        /**
         * Links as {@code traceId/spanId}.
         */
        List<String> links() {
            return span.getLinksList().stream().map(link -> hex(link.getTraceId()) + "/" + hex(link.getSpanId())).toList();
        }

        @Override
        public String toString() {
            return serviceName() + "[" + instanceId() + "] " + kind() + " '" + name() + "' trace=" + traceId()
                    + " span=" + spanId() + " parent=" + parentSpanId() + " links=" + links() + " "
                    + span.getAttributesList().stream().map(kv -> kv.getKey() + "=" + printable(kv.getValue())).toList();
        }

        private String resourceText(String key) {
            AnyValue value = resource.get(key);
            return value == null || !value.hasStringValue() ? null : value.getStringValue();
        }

        private static String printable(AnyValue value) {
            return switch (value.getValueCase()) {
                case STRING_VALUE -> "\"" + value.getStringValue() + "\"";
                case INT_VALUE -> value.getIntValue() + "L";
                case BOOL_VALUE -> String.valueOf(value.getBoolValue());
                case DOUBLE_VALUE -> value.getDoubleValue() + "d";
                default -> value.getValueCase().toString();
            };
        }
    }
}
