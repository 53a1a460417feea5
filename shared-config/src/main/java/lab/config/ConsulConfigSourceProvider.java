package lab.config;

import java.util.Set;

import io.helidon.config.Config;
import io.helidon.config.spi.ConfigSource;
import io.helidon.config.spi.ConfigSourceProvider;

/**
 * Makes {@code type: consul} available in Helidon meta-config.
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
        return ConsulConfigSource.create(metaConfig);
    }

    @Override
    public Set<String> supported() {
        return Set.of(TYPE);
    }
}
