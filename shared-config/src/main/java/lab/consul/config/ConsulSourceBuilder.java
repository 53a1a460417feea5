package lab.consul.config;

import io.helidon.config.AbstractConfigSourceBuilder;
import io.helidon.config.Config;
import io.helidon.config.spi.ChangeWatcher;
import io.helidon.config.spi.WatchableSource;
import lab.consul.ConsulEndpoint;
import lab.consul.ConsulKey;

/**
 * What the builders of both Consul config sources share: the agent, and whether to watch.
 *
 * @param <B> the concrete builder
 */
public abstract class ConsulSourceBuilder<B extends ConsulSourceBuilder<B>>
        extends AbstractConfigSourceBuilder<B, ConsulKey>
        implements WatchableSource.Builder<B, ConsulKey> {

    private ConsulEndpoint endpoint = ConsulEndpoint.fromEnvironment();
    private boolean watch = true;

    ConsulSourceBuilder() {
    }

    /**
     * Reads {@code address} ({@code host:port} or URL; default from {@code CONSUL_HTTP_ADDR}) and
     * {@code watch} (default {@code true}), plus Helidon's common source properties ({@code optional}, ...).
     *
     * @param metaConfig meta-config node
     * @return updated builder
     */
    @Override
    public B config(Config metaConfig) {
        metaConfig.get("address").asString()
                .ifPresent(address -> endpoint(ConsulEndpoint.create(address, endpoint.token())));
        metaConfig.get("watch").asBoolean().ifPresent(this::watch);
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

    ConsulEndpoint endpoint() {
        return endpoint;
    }

    @SuppressWarnings("unchecked")
    private B identity() {
        return (B) this;
    }
}
