package lab.consul.config;

import io.helidon.config.AbstractConfigSourceBuilder;
import io.helidon.config.Config;
import io.helidon.config.spi.ChangeWatcher;
import io.helidon.config.spi.WatchableSource;
import lab.consul.ConsulEndpoint;
import lab.consul.ConsulKey;
import lab.consul.ReadMode;

/**
 * What the builders of both Consul config sources share: the agent, whether to watch and how.
 *
 * @param <B> the concrete builder
 */
public abstract class ConsulSourceBuilder<B extends ConsulSourceBuilder<B>>
        extends AbstractConfigSourceBuilder<B, ConsulKey>
        implements WatchableSource.Builder<B, ConsulKey> {

    private ConsulEndpoint endpoint = ConsulEndpoint.fromEnvironment();
    private boolean watch = true;
    private ReadMode reads = ReadMode.DEFAULT;

    ConsulSourceBuilder() {
    }

    /**
     * Reads {@code address} ({@code host:port} or URL; default from {@code CONSUL_HTTP_ADDR}),
     * {@code watch} (default {@code true}) and {@code read} (a {@link ReadMode}: {@code consistency},
     * {@code max-stale}, {@code wait}, {@code min-interval}), plus Helidon's common source
     * properties ({@code optional}, ...).
     *
     * @param metaConfig meta-config node
     * @return updated builder
     */
    @Override
    public B config(Config metaConfig) {
        metaConfig.get("address").asString()
                .ifPresent(address -> endpoint(endpoint.withAddress(address)));
        metaConfig.get("watch").asBoolean().ifPresent(this::watch);
        if (metaConfig.get("read").exists()) {
            readMode(ReadMode.create(metaConfig.get("read")));
        }
        return super.config(metaConfig);
    }

    /**
     * Agent to read from; default from the environment ({@code CONSUL_HTTP_ADDR}, {@code CONSUL_HTTP_TOKEN}).
     *
     * @param endpoint agent
     * @return updated builder
     */
    public B endpoint(ConsulEndpoint endpoint) {
        this.endpoint = endpoint;
        return identity();
    }

    /**
     * Whether to reload live with a blocking-query watch; default {@code true}.
     *
     * @param watch whether to watch
     * @return updated builder
     */
    public B watch(boolean watch) {
        this.watch = watch;
        return identity();
    }

    /**
     * How the watch reads; default {@link ReadMode#DEFAULT}.
     *
     * @param reads consistency, wait and pause of the watch's blocking query
     * @return updated builder
     */
    public B readMode(ReadMode reads) {
        this.reads = reads;
        return identity();
    }

    @Override
    public B changeWatcher(ChangeWatcher<ConsulKey> changeWatcher) {
        watch = false;
        return super.changeWatcher(changeWatcher);
    }

    /**
     * Sets up the default watcher unless watching is off or another watcher was set.
     *
     * @param watcher the source's own watcher
     */
    void watchWith(ConsulWatcher watcher) {
        if (watch) {
            super.changeWatcher(watcher);
        }
    }

    ReadMode readMode() {
        return reads;
    }

    ConsulEndpoint endpoint() {
        return endpoint;
    }

    @SuppressWarnings("unchecked")
    private B identity() {
        return (B) this;
    }
}
