package lab.consul.config;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.config.spi.ChangeWatcher;
import lab.consul.ReadMode;
import lab.consul.ConsulKey;
import lab.runtime.LabSettings;
import lab.testing.ConsulAgent;
import lab.launcher.Eventually;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;

class ConsulConfigSourceTest {

    @RegisterExtension
    static final ConsulAgent agent = ConsulAgent.perClass();

    @Test
    void readsTheJsonDocumentLayeredOverDefaults() {
        agent.put("/v1/kv/read_test", """
                {"queue_name": "q1", "hazelcast_members": ["127.0.0.1:6001"], "cluster_nodes": {"127.0.0.1:6001": 1}}
                """);
        LabSettings settings = LabSettings.create(labConfig("read_test"));
        assertThat(settings.queueName(), is("q1"));
        assertThat(settings.hazelcastMembers(), contains("127.0.0.1:6001"));
        assertThat(settings.mapName(), is(LabSettings.defaults().mapName()));
        assertThat(settings.endpoints().logging(), is("/logging"));
    }

    @Test
    void reloadsLiveWhenTheKeyChanges() {
        agent.put("/v1/kv/live_test", "{\"queue_name\": \"before\"}");
        Config config = labConfig("live_test");
        AtomicReference<String> seen = new AtomicReference<>(config.get("queue_name").asString().get());
        config.get("queue_name").onChange(node -> seen.set(node.asString().orElse("(missing)")));
        assertThat(seen.get(), is("before"));

        agent.put("/v1/kv/live_test", "{\"queue_name\": \"after\"}");
        Eventually.await(Duration.ofSeconds(5), () -> "after".equals(seen.get()), "change reaches the config");
    }

    // What a leader election does to a cluster (the watch, stale, answers; the source's read, which
    // needs a leader, fails) comes here from the "source" telling the watch its read failed.
    @Test
    void aChangeTheSourceCouldNotReadIsToldAgainUntilItIsRead() throws InterruptedException {
        agent.put("/v1/kv/retold_test", "one");
        ConsulWatcher watcher = ConsulWatcher.create(false, ReadMode.DEFAULT);
        watcher.read("one");
        List<ChangeWatcher.ChangeEvent<ConsulKey>> events = new CopyOnWriteArrayList<>();
        watcher.start(new ConsulKey(agent.endpoint(), "retold_test"), event -> {
            events.add(event);
            if (events.size() == 1) {
                watcher.readFailed();
            }
        });
        try {
            Thread.sleep(500);
            assertThat("nothing changed yet", events, is(empty()));
            agent.put("/v1/kv/retold_test", "two");
            Eventually.await(Duration.ofSeconds(10), () -> events.size() == 2, () -> "told twice: " + events);
            Thread.sleep(1_000);
            assertThat("read the second time: told no more " + events, events.size(), is(2));
        } finally {
            watcher.stop();
        }
    }

    @Test
    void missingKeyLeavesTheDefaults() {
        assertThat(LabSettings.create(labConfig("absent_key")), is(LabSettings.defaults()));
    }

    @Test
    void isAvailableFromMetaConfigAsTypeConsul() {
        agent.put("/v1/kv/meta_test", "{\"queue_name\": \"from-meta\"}");
        Config meta = Config.just(ConfigSources.create(java.util.Map.of(
                "sources.0.type", "consul",
                "sources.0.properties.key", "meta_test",
                "sources.0.properties.address", agent.address())));
        Config config = Config.builder().config(meta).build();
        assertThat(config.get("queue_name").asString().get(), is("from-meta"));
    }

    @Test
    void prefixModeMapsKeysToATreeAndReloadsLive() {
        agent.put("/v1/kv/config/logging-service/server/port", "9123");
        agent.put("/v1/kv/config/logging-service/consul/service/ttl", "PT3S");
        agent.put("/v1/kv/config/other-service/server/port", "1");
        Config meta = Config.just(ConfigSources.create(java.util.Map.of(
                "sources.0.type", "consul",
                "sources.0.properties.prefix", "config/logging-service",
                "sources.0.properties.address", agent.address())));
        Config config = Config.builder().config(meta).build();
        assertThat(config.get("server.port").asInt().get(), is(9123));
        assertThat(config.get("consul.service.ttl").asString().get(), is("PT3S"));

        AtomicReference<String> port = new AtomicReference<>("9123");
        config.get("server.port").onChange(node -> port.set(node.asString().orElse("(missing)")));
        agent.put("/v1/kv/config/logging-service/server/port", "9124");
        Eventually.await(Duration.ofSeconds(5), () -> "9124".equals(port.get()), "prefix change reaches the config");
    }

    @Test
    void rejectsKeysThatWouldCorruptTheUrl() {
        for (String key : List.of("a?b", "a#b", "a//b", "", "a b")) {
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                                                          () -> new ConsulKey(agent.endpoint(), key), key);
        }
    }

    private static Config labConfig(String key) {
        return Config.builder()
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .sources(List.of(ConsulConfigSource.builder().endpoint(agent.endpoint()).key(key).optional(true),
                                 ConfigSources.classpath(LabSettings.DEFAULTS_RESOURCE)))
                .build();
    }
}
