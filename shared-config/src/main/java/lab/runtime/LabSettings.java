package lab.runtime;

import java.util.List;
import java.util.Optional;
import java.util.stream.StreamSupport;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;

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
                config.get("messages_retention").asInt().get());
    }

    /**
     * Why a {@code lab_settings} document cannot be used, if it cannot: the keys the lab reads must
     * have the right types (names are non-empty strings, members {@code host:port} strings, endpoints
     * paths). Keys it does not read, like {@code cluster_nodes}, may hold anything.
     *
     * @param document parsed JSON object
     * @return the first problem found, or empty
     */
    public static Optional<String> problem(JsonNode document) {
        for (String name : List.of("cluster_name", "queue_name", "map_name")) {
            JsonNode value = document.get(name);
            if (value != null && (!value.isTextual() || value.asText().isBlank())) {
                return Optional.of(name + " must be a non-empty string");
            }
        }
        JsonNode members = document.get("hazelcast_members");
        if (members != null && (!members.isArray() || members.isEmpty()
                || !StreamSupport.stream(members.spliterator(), false)
                .allMatch(member -> member.isTextual() && member.asText().matches("[^:\\s]+:\\d+")))) {
            return Optional.of("hazelcast_members must be a non-empty list of \"host:port\" strings");
        }
        JsonNode endpoints = document.get("api-endpoints");
        if (endpoints != null && (!endpoints.isObject()
                || !StreamSupport.stream(endpoints.spliterator(), false)
                .allMatch(path -> path.isTextual() && path.asText().startsWith("/")))) {
            return Optional.of("api-endpoints must map service names to paths starting with /");
        }
        JsonNode retention = document.get("messages_retention");
        if (retention != null && (!retention.canConvertToInt() || !retention.isIntegralNumber()
                || retention.asInt() < 1 || retention.asInt() > MAX_MESSAGES_RETENTION)) {
            return Optional.of("messages_retention must be a whole number from 1 to " + MAX_MESSAGES_RETENTION);
        }
        return Optional.empty();
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

        static ApiEndpoints create(Config config) {
            return new ApiEndpoints(config.get("facade").asString().get(),
                                    config.get("logging").asString().get(),
                                    config.get("messages").asString().get());
        }
    }
}
