package lab.runtime;

import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.json.JsonArray;
import io.helidon.json.JsonNumber;
import io.helidon.json.JsonObject;
import io.helidon.json.JsonString;
import io.helidon.json.JsonValue;
import io.helidon.json.JsonValueType;
import lab.json.Json;

/**
 * The lab's shared settings, as the services see them after layering Consul KV
 * ({@code lab_settings}) over their {@code application.yaml} defaults.
 *
 * @param clusterName      Hazelcast cluster name
 * @param queueName        Hazelcast queue from facade to messages
 * @param mapName          Hazelcast map where logging keeps the messages
 * @param hazelcastMembers addresses Hazelcast clients connect to
 * @param endpoints        HTTP paths of the three services
 * @param messagesRetention how many of the newest received messages each messages instance keeps
 */
public record LabSettings(String clusterName,
                          String queueName,
                          String mapName,
                          List<String> hazelcastMembers,
                          ApiEndpoints endpoints,
                          int messagesRetention) {

    /** Largest {@code messages_retention}: a retention is memory every messages instance holds. */
    public static final int MAX_MESSAGES_RETENTION = 1_000_000;

    /** KV key of the settings document. */
    public static final String KEY = "lab_settings";

    /**
     * Classpath resource with the original lab's values: seeded into KV when the key is missing and
     * layered under it, so every setting always has a value.
     */
    public static final String DEFAULTS_RESOURCE = "lab_settings.json";

    /**
     * Reads the settings from the root of a service's config.
     *
     * @param config root config node, with {@link #DEFAULTS_RESOURCE} among its sources
     * @return settings
     */
    public static LabSettings create(Config config) {
        return new LabSettings(
                config.get("cluster_name").asString().get(),
                config.get("queue_name").asString().get(),
                config.get("map_name").asString().get(),
                config.get("hazelcast_members").asList(String.class).get(),
                ApiEndpoints.create(config.get("api-endpoints")),
                retention(config.get("messages_retention").asInt().get()));
    }

    // A retention outside the range would break every messages instance, wherever the value came from.
    private static int retention(int retention) {
        if (retention < 1 || retention > MAX_MESSAGES_RETENTION) {
            throw new IllegalArgumentException("messages_retention must be a whole number from 1 to "
                                                       + MAX_MESSAGES_RETENTION + ", not " + retention);
        }
        return retention;
    }

    private static final String TEXT = "a non-empty string";

    /*
     * The schema, once: every key the lab reads, what a usable JSON value of it is, and what GET
     * /settings shows for it. Keys it does not read, like cluster_nodes, may hold anything.
     */
    private static final List<Key> SCHEMA = List.of(
            new Key("cluster_name", TEXT, LabSettings::nonEmptyText, it -> JsonString.create(it.clusterName())),
            new Key("queue_name", TEXT, LabSettings::nonEmptyText, it -> JsonString.create(it.queueName())),
            new Key("map_name", TEXT, LabSettings::nonEmptyText, it -> JsonString.create(it.mapName())),
            new Key("hazelcast_members", "a non-empty list of \"host:port\" strings", LabSettings::members,
                    it -> JsonArray.createStrings(it.hazelcastMembers())),
            new Key("api-endpoints", "an object mapping service names to paths starting with /", LabSettings::paths,
                    it -> it.endpoints().asDocument()),
            new Key("messages_retention", "a whole number from 1 to " + MAX_MESSAGES_RETENTION, LabSettings::retention,
                    it -> JsonNumber.create(it.messagesRetention())));

    /**
     * Why a {@code lab_settings} document cannot be used, if it cannot: a key the lab reads has a
     * value of the wrong type or form.
     *
     * @param document parsed JSON object
     * @return the first problem found, or empty
     */
    public static Optional<String> problem(JsonObject document) {
        return SCHEMA.stream()
                .filter(key -> document.value(key.name()).filter(key.usable().negate()).isPresent())
                .map(key -> key.name() + " must be " + key.expected())
                .findFirst();
    }

    /**
     * These settings in {@code lab_settings}' own names and order.
     *
     * @return JSON object
     */
    public JsonObject asDocument() {
        JsonObject.Builder document = JsonObject.builder();
        SCHEMA.forEach(key -> document.set(key.name(), key.shown().apply(this)));
        return document.build();
    }

    private static boolean nonEmptyText(JsonValue value) {
        return value.type() == JsonValueType.STRING && !value.asString().value().isBlank();
    }

    private static boolean members(JsonValue value) {
        return value.type() == JsonValueType.ARRAY && value.asArray().size() > 0 && value.asArray().values().stream()
                .allMatch(member -> nonEmptyText(member) && member.asString().value().matches("[^:\\s]+:\\d+"));
    }

    private static boolean paths(JsonValue value) {
        if (value.type() != JsonValueType.OBJECT) {
            return false;
        }
        JsonObject paths = value.asObject();
        return paths.keysAsStrings().stream()
                .allMatch(name -> Json.text(paths, name).filter(path -> path.startsWith("/")).isPresent());
    }

    // A whole number, 5 and not 5.0, as Helidon's config reads an int. 5e0 is 5 here, and JsonConfigParser
    // hands the config its plain notation, 5, too.
    private static boolean retention(JsonValue value) {
        if (value.type() != JsonValueType.NUMBER) {
            return false;
        }
        BigDecimal number = value.asNumber().bigDecimalValue();
        return number.scale() == 0
                && number.compareTo(BigDecimal.ONE) >= 0
                && number.compareTo(BigDecimal.valueOf(MAX_MESSAGES_RETENTION)) <= 0;
    }

    /**
     * The same settings with other HTTP paths.
     *
     * @param paths paths to use
     * @return settings
     */
    public LabSettings withEndpoints(ApiEndpoints paths) {
        return new LabSettings(clusterName, queueName, mapName, hazelcastMembers, paths, messagesRetention);
    }

    /**
     * The original lab's settings.
     *
     * @return defaults
     */
    public static LabSettings defaults() {
        return create(Config.just(ConfigSources.classpath(DEFAULTS_RESOURCE)));
    }

    /**
     * HTTP paths of the three services.
     *
     * @param facade   facade path
     * @param logging  logging path
     * @param messages messages path
     */
    public record ApiEndpoints(String facade, String logging, String messages) {

        JsonObject asDocument() {
            return JsonObject.builder()
                    .set("facade", facade)
                    .set("logging", logging)
                    .set("messages", messages)
                    .build();
        }

        static ApiEndpoints create(Config config) {
            return new ApiEndpoints(config.get("facade").asString().get(),
                                    config.get("logging").asString().get(),
                                    config.get("messages").asString().get());
        }
    }

    // One key of the schema: its name, what a usable value is (in words and as a test), what GET /settings shows.
    private record Key(String name, String expected, Predicate<JsonValue> usable, Function<LabSettings, JsonValue> shown) {
    }
}
