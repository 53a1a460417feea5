package lab.consul.config;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.util.List;
import java.util.Set;

import io.helidon.common.media.type.MediaType;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.config.Config;
import io.helidon.config.spi.ConfigNode;
import io.helidon.config.spi.ConfigParser;
import io.helidon.config.spi.ConfigParserException;
import io.helidon.json.JsonArray;
import io.helidon.json.JsonObject;
import io.helidon.json.JsonValue;
import lab.json.Json;

/**
 * Helidon config's parser for JSON documents, on the lab's JSON ({@link Json}): {@code lab_settings}
 * from Consul and its defaults ({@code lab_settings.json}). Helidon's own parser for JSON is HOCON's
 * (Typesafe Config: ~140 classes in every instance, for one small document that {@link Json#object}
 * has already read once to check it).
 * <p>
 * Config values are text, so a value keeps its JSON text: a number in plain notation, as Helidon's
 * conversions read it ({@code 5e0} as {@code 5}; {@code 5.0} stays {@code 5.0}, which is no int), but in
 * scientific notation when its exponent is beyond ±64 (plain, {@code 1e999999999} would be a
 * billion digits: the document comes from Consul, untrusted); a boolean as {@code true} or
 * {@code false}; a string unquoted. A {@code null} is left out, in an object as if the key were not
 * there, in a list as if the item were not (HOCON's parser made it an empty value). A key is one
 * config name, dots and all.
 */
public final class JsonConfigParser implements ConfigParser {

    private static final int MAX_PLAIN_EXPONENT = 64;

    /**
     * For Helidon's service loader ({@code META-INF/services/io.helidon.config.spi.ConfigParser}),
     * which makes this the parser of every JSON config source; in code, {@link #create()}.
     */
    public JsonConfigParser() {
    }

    /**
     * The parser.
     *
     * @return parser
     */
    public static JsonConfigParser create() {
        return new JsonConfigParser();
    }

    @Override
    public Set<MediaType> supportedMediaTypes() {
        return Set.of(MediaTypes.APPLICATION_JSON);
    }

    @Override
    public List<String> supportedSuffixes() {
        return List.of("json");
    }

    @Override
    public ConfigNode.ObjectNode parse(Content content) throws ConfigParserException {
        try (InputStream data = content.data()) {
            return object(Json.object(data.readAllBytes()));
        } catch (IOException e) {
            throw new ConfigParserException("the document could not be read", e);
        } catch (RuntimeException e) {
            // a JsonException from Json.object, or from a string or number decoded only as it is read
            throw new ConfigParserException("not a JSON object: " + e.getMessage(), e);
        }
    }

    private static ConfigNode.ObjectNode object(JsonObject json) {
        ConfigNode.ObjectNode.Builder node = ConfigNode.ObjectNode.builder();
        for (String key : json.keysAsStrings()) {
            JsonValue value = json.value(key).orElseThrow();
            String name = Config.Key.escapeName(key);
            switch (value.type()) {
                case OBJECT -> node.addObject(name, object(value.asObject()));
                case ARRAY -> node.addList(name, list(value.asArray()));
                case NULL -> {
                }
                default -> node.addValue(name, text(value));
            }
        }
        return node.build();
    }

    private static ConfigNode.ListNode list(JsonArray json) {
        ConfigNode.ListNode.Builder node = ConfigNode.ListNode.builder();
        for (JsonValue value : json.values()) {
            switch (value.type()) {
                case OBJECT -> node.addObject(object(value.asObject()));
                case ARRAY -> node.addList(list(value.asArray()));
                case NULL -> {
                }
                default -> node.addValue(text(value));
            }
        }
        return node.build();
    }

    private static String number(BigDecimal number) {
        return Math.abs((long) number.scale()) <= MAX_PLAIN_EXPONENT ? number.toPlainString() : number.toString();
    }

    private static String text(JsonValue value) {
        return switch (value.type()) {
            case NUMBER -> number(value.asNumber().bigDecimalValue());
            case BOOLEAN -> String.valueOf(value.asBoolean().value());
            default -> value.asString().value();
        };
    }
}
