package lab.consul.discovery;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.json.JsonObject;
import lab.consul.ConsulException;
import lab.consul.Query;
import lab.consul.ReadMode;
import lab.json.Json;
import lab.launcher.Eventually;
import lab.testing.ConsulAgent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasEntry;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.assertThrows;

class HealthyInstancesTest {

    @RegisterExtension
    static final ConsulAgent agent = ConsulAgent.perClass();

    @Test
    void seesPassingInstancesAndDropsOneThatTurnsCritical() {
        Registrar a = register("pool", 8001);
        Registrar b = register("pool", 8002);
        try (HealthyInstances instances = HealthyInstances.create(agent.endpoint(), "pool")) {
            Eventually.await(Duration.ofSeconds(5), () -> instances.all().size() == 2, "both instances seen");
            agent.client().updateTtl(b.registration().checkId(), "critical", "down");
            Eventually.await(Duration.ofSeconds(2), () -> instances.all().size() == 1, "critical instance dropped");
            assertThat(instances.all().getFirst().port(), is(8001));
            assertThat(instances.pick(Set.of(a.registration().id())).isEmpty(), is(true));
        } finally {
            a.close();
            b.close();
        }
    }

    @Test
    void aWatchOfOneTagSeesThatShardOnly() {
        Registrar zoneA = register("sharded", 8101, "zone-a");
        Registrar zoneB = register("sharded", 8102, "zone-b");
        try (HealthyInstances onlyA = HealthyInstances.create(agent.endpoint(), "sharded", ReadMode.DEFAULT,
                                                              Subset.tagged("zone-a"));
             HealthyInstances all = HealthyInstances.create(agent.endpoint(), "sharded")) {
            Eventually.await(Duration.ofSeconds(5), () -> all.all().size() == 2, "both zones seen by the unfiltered watch");
            Eventually.await(Duration.ofSeconds(5), () -> onlyA.all().size() == 1, "zone-a seen");
            assertThat(onlyA.all().getFirst().port(), is(8101));
        } finally {
            zoneA.close();
            zoneB.close();
        }
    }

    @Test
    void aWatchWithAFilterSeesTheInstancesWhoseMetaMatches() {
        Config zoneA = config(Map.of("meta.zone", "a"));
        Registrar a = Registrar.create(agent.client(), ServiceRegistration.create("zoned", "zoned-a", 8111, zoneA),
                                       () -> TtlStatus.PASSING).start();
        Registrar b = Registrar.create(agent.client(), ServiceRegistration.create("zoned", "zoned-b", 8112, config(Map.of("meta.zone", "b"))),
                                       () -> TtlStatus.PASSING).start();
        Subset onlyZoneA = Subset.create(config(Map.of("filter", "Service.Meta.zone == \"a\"")));
        try (HealthyInstances inZoneA = HealthyInstances.create(agent.endpoint(), "zoned", ReadMode.DEFAULT, onlyZoneA);
             HealthyInstances all = HealthyInstances.create(agent.endpoint(), "zoned")) {
            Eventually.await(Duration.ofSeconds(5), () -> all.all().size() == 2, "both zones seen by the unfiltered watch");
            Eventually.await(Duration.ofSeconds(5), () -> inZoneA.all().size() == 1, "zone a seen");
            assertThat(inZoneA.all().getFirst().id(), is("zoned-a"));
            assertThat(a.registration().meta(), hasEntry("zone", "a"));
            assertThat("the build's version stays", a.registration().meta(), hasKey("version"));
        } finally {
            a.close();
            b.close();
        }
    }

    @Test
    void asksForTheAgentCache() {
        // The agent refuses ?cached with ?consistent: a real answer to "is cached sent at all".
        Query consistent = Query.NONE.with("consistent");
        ConsulException refused = assertThrows(ConsulException.class, () -> agent.client().health(
                "consul", HealthyInstances.passing(consistent, ReadMode.DEFAULT, Subset.ALL)));
        assertThat(refused.status(), is(400));
        ReadMode stale = new ReadMode(ReadMode.Consistency.STALE, Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ZERO);
        assertThat(agent.client().health("consul", HealthyInstances.passing(consistent, stale, Subset.ALL)).value().size(),
                   is(1));
    }

    @Test
    void picksAtRandomAcrossAllInstances() {
        List<Registrar> registrars = List.of(register("spread", 8101), register("spread", 8102), register("spread", 8103));
        try (HealthyInstances instances = HealthyInstances.create(agent.endpoint(), "spread")) {
            Eventually.await(Duration.ofSeconds(5), () -> instances.all().size() == 3, "three instances seen");
            Map<Integer, Integer> hits = new HashMap<>();
            for (int i = 0; i < 3000; i++) {
                hits.merge(instances.pick(Set.of()).orElseThrow().port(), 1, Integer::sum);
            }
            assertThat(hits.keySet(), containsInAnyOrder(8101, 8102, 8103));
            hits.values().forEach(count -> assertThat(count, allOf(greaterThan(800), lessThan(1200))));
        } finally {
            registrars.forEach(Registrar::close);
        }
    }

    @Test
    void picksAtRandomAmongTheUntriedOnly() {
        List<Registrar> registrars = List.of(register("untried", 8401), register("untried", 8402),
                                             register("untried", 8403));
        try (HealthyInstances instances = HealthyInstances.create(agent.endpoint(), "untried")) {
            Eventually.await(Duration.ofSeconds(5), () -> instances.all().size() == 3, "three instances seen");
            String first = registrars.get(0).registration().id();
            String second = registrars.get(1).registration().id();
            Map<Integer, Integer> hits = new HashMap<>();
            for (int i = 0; i < 3000; i++) {
                hits.merge(instances.pick(Set.of(first)).orElseThrow().port(), 1, Integer::sum);
                // Two of three tried: random draws mostly miss, the untried one is found anyway.
                assertThat(instances.pick(Set.of(first, second)).orElseThrow().port(), is(8403));
            }
            assertThat(hits.keySet(), containsInAnyOrder(8402, 8403));
            hits.values().forEach(count -> assertThat(count, allOf(greaterThan(1300), lessThan(1700))));
        } finally {
            registrars.forEach(Registrar::close);
        }
    }

    @Test
    void failoverTriesEachInstanceAtMostOnce() {
        List<Registrar> registrars = List.of(register("flaky", 8201), register("flaky", 8202), register("flaky", 8203));
        try (HealthyInstances instances = HealthyInstances.create(agent.endpoint(), "flaky")) {
            Eventually.await(Duration.ofSeconds(5), () -> instances.all().size() == 3, "three instances seen");
            List<Integer> tried = new java.util.ArrayList<>();
            String answer = Failover.create(instances, 3).call((instance, resendCount) -> {
                tried.add(instance.port());
                if (resendCount < 2) {
                    throw new IllegalStateException("connection refused");
                }
                return "ok from " + instance.port();
            });
            assertThat(Set.copyOf(tried).size(), is(3));
            assertThat(answer, is("ok from " + tried.getLast()));

            Failover.UnavailableException failure = org.junit.jupiter.api.Assertions.assertThrows(
                    Failover.UnavailableException.class,
                    () -> Failover.create(instances, 5).call((instance, resendCount) -> {
                        throw new IllegalStateException("down");
                    }));
            assertThat(failure.serviceName(), is("flaky"));
            // one reason per instance tried (3 passing), each naming it, for the caller's log
            assertThat(failure.reasons().size(), is(3));
            failure.reasons().forEach(reason -> assertThat(reason, reason.matches("flaky-\\S+: IllegalStateException down"), is(true)));
        } finally {
            registrars.forEach(Registrar::close);
        }
    }

    @Test
    void maintenanceModeTakesAnInstanceOutOfRotationAndBack() {
        Registrar a = register("maint", 8301);
        Registrar b = register("maint", 8302);
        try (HealthyInstances instances = HealthyInstances.create(agent.endpoint(), "maint")) {
            Eventually.await(Duration.ofSeconds(5), () -> instances.all().size() == 2, "both instances seen");
            agent.put("/v1/agent/service/maintenance/" + a.registration().id() + "?enable=true&reason=drill", "");
            Eventually.await(Duration.ofSeconds(2), () -> instances.all().size() == 1, "instance in maintenance dropped");
            assertThat(instances.all().getFirst().port(), is(8302));
            agent.put("/v1/agent/service/maintenance/" + a.registration().id() + "?enable=false", "");
            Eventually.await(Duration.ofSeconds(2), () -> instances.all().size() == 2, "instance back");
        } finally {
            a.close();
            b.close();
        }
    }

    @Test
    void aRestartedAgentThatForgotTheInstancesDoesNotEmptyTheSnapshot() throws InterruptedException {
        registerWithoutHeartbeat("restart", 8401);
        try (HealthyInstances instances = HealthyInstances.create(agent.endpoint(), "restart")) {
            Eventually.await(Duration.ofSeconds(5), () -> instances.all().size() == 1, "instance seen");
            AtomicBoolean emptied = new AtomicBoolean();
            AtomicBoolean sampling = new AtomicBoolean(true);
            Thread sampler = Thread.ofVirtual().start(() -> {
                while (sampling.get()) {
                    emptied.compareAndSet(false, instances.all().isEmpty());
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            agent.restart();
            // The watch backs off at most 2 s here, so it has asked the new, empty agent by now.
            Thread.sleep(3_000);
            sampling.set(false);
            sampler.join();
            assertThat("the snapshot kept its instance while the new agent did not know it", emptied.get(), is(false));

            // Once the new agent lists instances again, changes apply at once, an empty list too.
            registerWithoutHeartbeat("restart", 8402);
            Eventually.await(Duration.ofSeconds(5), () -> instances.all().size() == 1 && instances.all().getFirst().port() == 8402,
                             "the instance registered with the new agent");
            agent.client().deregister("restart-8402");
            Eventually.await(Duration.ofSeconds(5), () -> instances.all().isEmpty(), "a real deregistration empties it");
        }
    }

    @Test
    void emptyServiceHasNoPick() {
        try (HealthyInstances instances = HealthyInstances.create(agent.endpoint(), "nobody")) {
            assertThat(instances.awaitFirstRead(Duration.ofSeconds(5)), is(true));
            assertThat(instances.pick(Set.of()).isPresent(), is(false));
            assertThat(instances.all(), empty());
        }
    }

    @Test
    void anInstanceWithoutAnAddressOfItsOwnIsReachedAtItsNodes() {
        assertThat(HealthyInstances.instance(Json.object("""
                {"Node": {"Address": "10.0.0.5"}, "Service": {"ID": "a-1", "Address": "", "Port": 8081}}
                """)), is(new Instance("a-1", "10.0.0.5", 8081)));
        assertThat(HealthyInstances.instance(Json.object("""
                {"Node": {"Address": "10.0.0.5"}, "Service": {"ID": "a-2", "Address": "10.0.0.6", "Port": 8082}}
                """)), is(new Instance("a-2", "10.0.0.6", 8082)));
    }

    private static void registerWithoutHeartbeat(String name, int port) {
        agent.client().register(JsonObject.builder()
                                        .set("ID", name + "-" + port)
                                        .set("Name", name)
                                        .set("Address", "127.0.0.1")
                                        .set("Port", port)
                                        .set("Check", check -> check.set("TTL", "60s").set("Status", "passing"))
                                        .build());
    }

    private static Registrar register(String name, int port, String... tags) {
        List<String> all = new java.util.ArrayList<>(List.of("lab"));
        all.addAll(List.of(tags));
        ServiceRegistration registration = new ServiceRegistration(name, name + "-" + port, "127.0.0.1", port,
                                                                   Duration.ofSeconds(30), Duration.ofMinutes(1),
                                                                   Map.of(), all);
        return Registrar.create(agent.client(), registration, () -> TtlStatus.PASSING).start();
    }

    private static Config config(Map<String, String> values) {
        return Config.builder().disableEnvironmentVariablesSource().disableSystemPropertiesSource()
                .sources(List.of(ConfigSources.create(values))).build();
    }
}
