package lab.consul.config;

import java.util.Optional;

import io.helidon.config.AbstractConfigSource;
import io.helidon.config.spi.ChangeWatcher;
import io.helidon.config.spi.WatchableSource;
import lab.consul.ConsulKey;

/**
 * What both Consul sources share: the key or prefix they read, which is also what their
 * {@link ConsulWatcher} watches (Helidon's watchable-source contract).
 */
abstract class ConsulKeySource extends AbstractConfigSource implements WatchableSource<ConsulKey> {

    private final ConsulKey target;

    ConsulKeySource(ConsulSourceBuilder<?> builder, ConsulKey target) {
        super(builder);
        this.target = target;
    }

    @Override
    public ConsulKey target() {
        return target;
    }

    @Override
    public Class<ConsulKey> targetType() {
        return ConsulKey.class;
    }

    @Override
    public Optional<ChangeWatcher<Object>> changeWatcher() {
        return super.changeWatcher();
    }

    /**
     * The watch of this source when it is a Consul one, which a read tells how it went.
     *
     * @return the Consul watcher, empty when unwatched or watched otherwise
     */
    Optional<ConsulWatcher> watcher() {
        return changeWatcher().filter(ConsulWatcher.class::isInstance).map(ConsulWatcher.class::cast);
    }

    @Override
    protected String uid() {
        return target.toString();
    }
}
