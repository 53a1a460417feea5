package lab.consul.config;

import java.util.Set;

import io.helidon.config.Config;
import io.helidon.config.spi.ConfigSource;
import io.helidon.config.spi.ConfigSourceProvider;

/**
 * Makes {@code type: consul} available in Helidon meta-config: with {@code properties.prefix} a
 * {@link ConsulPrefixConfigSource} (every key below the prefix), else a {@link ConsulConfigSource}
 * (one document at {@code properties.key}).
 */
public final class ConsulConfigSourceProvider implements ConfigSourceProvider {

    private static final String TYPE = "consul";

    /**
     * Required by {@link java.util.ServiceLoader}.
     */
    public ConsulConfigSourceProvider() {
    }

    @Override
    public boolean supports(String type) {
        return TYPE.equals(type);
    }

    @Override
    public ConfigSource create(String type, Config metaConfig) {
        return metaConfig.get("prefix").exists()
                ? ConsulPrefixConfigSource.builder().config(metaConfig).build()
                : ConsulConfigSource.create(metaConfig);
    }

    @Override
    public Set<String> supported() {
        return Set.of(TYPE);
    }
}
