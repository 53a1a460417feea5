package lab.consul.config;

import java.util.List;
import java.util.Optional;

import io.helidon.config.Config;
import io.helidon.config.ConfigException;
import io.helidon.config.spi.ConfigContent;
import io.helidon.config.spi.ConfigNode;
import io.helidon.config.spi.NodeConfigSource;
import lab.consul.ConsulClients;
import lab.consul.ConsulConnection;
import lab.consul.ConsulErrors;
import lab.consul.ConsulKey;
import lab.consul.KvEntry;
import lab.consul.access.ConsulDenials;

/**
 * A Helidon config source made of every Consul KV key under a prefix: {@code config/logging/server/port}
 * with prefix {@code config/logging/} becomes {@code server.port}. Reloads live through a
 * {@link ConsulWatcher} on the whole prefix.
 * <p>
 * From meta-config: {@code type: consul} with {@code properties: prefix, address, watch, optional}.
 */
public final class ConsulPrefixConfigSource extends ConsulKeySource implements NodeConfigSource {


    private ConsulPrefixConfigSource(Builder builder) {
        super(builder, builder.target);
    }

    /**
     * A builder.
     *
     * @return new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Optional<ConfigContent.NodeContent> load() throws ConfigException {
        List<KvEntry> values;
        // a connection per read, as ConsulConfigSource does
        try (ConsulConnection client = ConsulClients.create(target().endpoint())) {
            values = client.kvTree(target().key());
        } catch (RuntimeException e) {
            ConsulDenials.denied(e, "reading " + target().key(), "key:read on prefix \"" + target().key() + "\"");
            watcher().ifPresent(ConsulWatcher::readFailed);
            throw new ConfigException("Cannot read Consul prefix " + target() + ": "
                                              + ConsulErrors.describe(e, target().endpoint()), e);
        }
        ConsulDenials.allowed("reading " + target().key());
        if (values.isEmpty()) {
            return Optional.empty();
        }
        ConfigNode.ObjectNode.Builder root = ConfigNode.ObjectNode.builder();
        long index = 0;
        for (KvEntry value : values) {
            String name = value.key().substring(target().key().length());
            // Folders ("a/b/") have no value; nested keys become nested config nodes.
            if (!name.isEmpty() && !name.endsWith("/") && value.value().isPresent()) {
                root.addValue(name.replace('/', '.'), value.value().get());
            }
            index = Math.max(index, value.modifyIndex());
        }
        return Optional.of(ConfigContent.NodeContent.builder().node(root.build()).stamp(index).build());
    }

    /**
     * Builds a {@link ConsulPrefixConfigSource}.
     */
    public static final class Builder extends ConsulSourceBuilder<Builder>
            implements io.helidon.common.Builder<Builder, ConsulPrefixConfigSource> {

        private String prefix;
        private ConsulKey target;

        private Builder() {
        }

        @Override
        public ConsulPrefixConfigSource build() {
            if (prefix == null) {
                throw new IllegalStateException("prefix is required, e.g. config/logging-service/");
            }
            target = new ConsulKey(endpoint(), prefix, true);
            watchWith(ConsulWatcher.create(false, readMode()));
            return new ConsulPrefixConfigSource(this);
        }

        /**
         * Reads {@code prefix}, plus {@code address}, {@code watch} and Helidon's common source
         * properties ({@code optional}).
         *
         * @param metaConfig meta-config node
         * @return updated builder
         */
        @Override
        public Builder config(Config metaConfig) {
            metaConfig.get("prefix").asString().ifPresent(this::prefix);
            return super.config(metaConfig);
        }

        /**
         * The KV prefix; a trailing {@code /} is added when missing.
         *
         * @param prefix e.g. {@code config/logging-service/}
         * @return updated builder
         */
        public Builder prefix(String prefix) {
            this.prefix = prefix.endsWith("/") ? prefix : prefix + "/";
            return this;
        }
    }
}
