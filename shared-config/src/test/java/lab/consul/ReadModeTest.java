package lab.consul;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import lab.launcher.Eventually;
import lab.testing.ConsulAgent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ReadModeTest {

    @RegisterExtension
    static final ConsulAgent agent = ConsulAgent.perClass();

    @Test
    void readsThroughTheAgentCacheAndStaleByDefaultWithAJitteredWaitAndTheIndex() {
        assertThat(ReadMode.DEFAULT.agentCache(), is(true));
        assertThat(ReadMode.create(config(Map.of("consul.read.consistency", "stale"))).agentCache(), is(false));
        for (int i = 0; i < 200; i++) {
            Map<String, String> params = ReadMode.DEFAULT.params(42).params();
            assertThat(params.get("stale"), is(""));
            assertThat(params.get("index"), is("42"));
            assertThat(params.get("wait"), endsWith("s"));
            assertThat(Long.parseLong(params.get("wait").replace("s", "")), allOf(greaterThanOrEqualTo(60L), lessThanOrEqualTo(63L)));
        }
        assertThat(new ReadMode(ReadMode.Consistency.CONSISTENT, Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ZERO)
                           .params(0).params().keySet(), is(Set.of("index", "wait", "consistent")));
        assertThat(new ReadMode(ReadMode.Consistency.DEFAULT, Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ZERO)
                           .params(0).params().keySet(), is(Set.of("index", "wait")));
    }

    @Test
    void aStaleAnswerFurtherBehindTheLeaderThanMaxStaleIsNotTaken() {
        assertThat(ReadMode.DEFAULT.tooStale(new Answer<>("x", 7L, 4_000L)).isPresent(), is(false));
        assertThat(ReadMode.DEFAULT.tooStale(new Answer<>("x", 7L, 9_000L)).orElseThrow(),
                   containsString("9000 ms ago (max-stale 5000 ms)"));
        ReadMode consistent = new ReadMode(ReadMode.Consistency.CONSISTENT, Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ZERO);
        assertThat("only stale reads have a bound", consistent.tooStale(new Answer<>("x", 7L, 9_000L)).isPresent(), is(false));
    }

    @Test
    void comesFromConfigWithTheDefaultsForWhatIsMissingAndRefusesNonsense() {
        ReadMode reads = ReadMode.create(config(Map.of("consul.read.consistency", "consistent", "consul.read.wait", "PT5M")));
        assertThat(reads, is(new ReadMode(ReadMode.Consistency.CONSISTENT, Duration.ofSeconds(5), Duration.ofMinutes(5),
                                          Duration.ofMillis(100))));
        assertThat(ReadMode.create(config(Map.of())), is(ReadMode.DEFAULT));
        assertThrows(IllegalArgumentException.class,
                     () -> ReadMode.create(config(Map.of("consul.read.consistency", "sometimes"))));
        assertThrows(IllegalArgumentException.class,
                     () -> ReadMode.create(config(Map.of("consul.read.wait", "PT11M"))));
    }

    @Test
    void aBurstOfChangesIsFetchedOnceAMinIntervalApart() throws InterruptedException {
        ConsulConnection client = agent.client();
        agent.put("/v1/kv/burst", "0");
        AtomicInteger answers = new AtomicInteger();
        ReadMode reads = new ReadMode(ReadMode.Consistency.STALE, Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(1));
        try (BlockingQuery<?> query = BlockingQuery.start("burst", "key:read", reads, params -> client.kv("burst", params),
                                                          (value, moved, recovered) -> answers.incrementAndGet())) {
            Eventually.await(Duration.ofSeconds(5), () -> answers.get() == 1, "the first answer");
            for (int i = 1; i <= 20; i++) {
                agent.put("/v1/kv/burst", Integer.toString(i));
            }
            Thread.sleep(1_500);
            assertThat("20 changes within the min-interval, fetched as one or two answers", answers.get(),
                       lessThanOrEqualTo(3));
            assertThat(client.text("burst").orElseThrow(), is("20"));
        }
    }

    private static Config config(Map<String, String> values) {
        return Config.builder().disableEnvironmentVariablesSource().disableSystemPropertiesSource()
                .sources(List.of(ConfigSources.create(values))).build().get("consul.read");
    }
}
