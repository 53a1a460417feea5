package lab.config;

import java.util.List;

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
 */
public record LabSettings(String clusterName,
                          String queueName,
                          String mapName,
                          List<String> hazelcastMembers,
                          ApiEndpoints endpoints) {

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
                ApiEndpoints.create(config.get("api-endpoints")));
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
