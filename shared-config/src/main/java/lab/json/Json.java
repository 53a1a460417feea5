package lab.json;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

import io.helidon.json.JsonArray;
import io.helidon.json.JsonException;
import io.helidon.json.JsonGenerator;
import io.helidon.json.JsonObject;
import io.helidon.json.JsonParser;
import io.helidon.json.JsonValue;
import io.helidon.json.JsonValueType;

/**
 * The lab's JSON is Helidon's own ({@code io.helidon.json}, a preview API in 4.5): the parser and
 * generator its health endpoint already loads, some 30 classes. Jackson, which the services used
 * before, is about 700 classes that every instance kept in memory for a few small objects
 * (docs/benchmarks.md, R6b). These are the things the API leaves to its users.
 * <p>
 * Its parser finds where each token ends and decodes strings and numbers only when they are read: a
 * bad escape or number in a parsed object throws later, when it is read. It recurses without a
 * depth limit (a body of a few thousand {@code [} overflows the stack), and a non-ASCII byte in a number
 * throws an {@code ArrayIndexOutOfBoundsException}. {@link #object} turns all of that into a
 * {@link JsonException} at one place.
 */
public final class Json {

    private Json() {
    }

    /**
     * A JSON object from untrusted text (a request, a queue entry, a Consul key).
     *
     * @param json UTF-8 JSON
     * @return the object (read its strings with {@link #text})
     * @throws JsonException when it is not a JSON object, however the parser fails
     */
    public static JsonObject object(byte[] json) {
        return value(json, JsonValueType.OBJECT).asObject();
    }

    /**
     * A JSON array, e.g. Consul's answer to a read.
     *
     * @param json UTF-8 JSON
     * @return the array
     * @throws JsonException when it is not a JSON array, however the parser fails
     */
    public static JsonArray array(byte[] json) {
        return value(json, JsonValueType.ARRAY).asArray();
    }

    private static JsonValue value(byte[] json, JsonValueType type) {
        try {
            JsonValue value = JsonParser.create(json).readJsonValue();
            if (value.type() != type) {
                throw new JsonException("not a JSON " + type.name().toLowerCase(Locale.ROOT));
            }
            return value;
        } catch (JsonException e) {
            throw e;
        } catch (RuntimeException | StackOverflowError e) {
            throw new JsonException("not JSON: " + e.getClass().getSimpleName());
        }
    }

    /**
     * A JSON object from untrusted text.
     *
     * @param json JSON
     * @return the object
     * @throws JsonException when it is not a JSON object
     */
    public static JsonObject object(String json) {
        return object(json.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A field's value when it is a JSON string; a number, object or null is not text, nor is a string
     * the parser cannot decode (a bad escape, a lone surrogate, bytes that are not UTF-8).
     *
     * @param object JSON object
     * @param field  field name
     * @return the string, empty when the field is missing or not a string
     */
    public static Optional<String> text(JsonObject object, String field) {
        try {
            return object.value(field)
                    .filter(value -> value.type() == JsonValueType.STRING)
                    .map(value -> value.asString().value());
        } catch (JsonException e) {
            return Optional.empty();
        }
    }

    /**
     * Compact UTF-8 JSON, as stored in Hazelcast and in the services' histories.
     *
     * @param value JSON value
     * @return its bytes
     */
    public static byte[] bytes(JsonValue value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        try (JsonGenerator generator = JsonGenerator.create(out)) {
            generator.write(value);
        }
        return out.toByteArray();
    }
}
