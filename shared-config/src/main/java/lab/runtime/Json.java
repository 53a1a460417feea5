package lab.runtime;

import java.io.ByteArrayOutputStream;
import java.util.Optional;

import io.helidon.json.JsonGenerator;
import io.helidon.json.JsonObject;
import io.helidon.json.JsonValue;
import io.helidon.json.JsonValueType;

/**
 * The lab's JSON is Helidon's own ({@code io.helidon.json}, a preview API in 4.5): the parser and
 * generator its health endpoint already loads, some 30 classes. Jackson, which the services used
 * before, is about 700 classes that every instance kept in memory for a few small objects
 * (docs/benchmarks.md, R6b). These are the two things the API leaves to its users.
 */
public final class Json {

    private Json() {
    }

    /**
     * A field's value when it is a JSON string; a number, object or null is not text.
     *
     * @param object JSON object
     * @param field  field name
     * @return the string, empty when the field is missing or not a string
     */
    public static Optional<String> text(JsonObject object, String field) {
        return object.value(field)
                .filter(value -> value.type() == JsonValueType.STRING)
                .map(value -> value.asString().value());
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
