package lab.runtime;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import io.helidon.health.HealthCheckResponse;
import lab.testing.ConsulAgent;
import lab.launcher.Eventually;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

class LiveSettingsTest {

    @RegisterExtension
    static final ConsulAgent agent = ConsulAgent.perClass();

    @BeforeEach
    void startFromTheDefaults() {
        agent.put("/v1/kv/lab_settings", LabBootstrap.defaultSettingsDocument());
    }

    @Test
    void followsChangesAndTellsListeners() {
        LiveSettings settings = bootstrap().settings();
        AtomicReference<String> heard = new AtomicReference<>();
        settings.onChange(next -> heard.set(next.queueName()));
        put("{\"queue_name\": \"switched\"}");
        Eventually.await(Duration.ofSeconds(5), () -> "switched".equals(settings.current().queueName()), "change applied");
        // Listeners hear of a change right after it is applied, on the watch's thread.
        Eventually.await(Duration.ofSeconds(5), () -> "switched".equals(heard.get()), "listener told");
        assertThat(settings.current().mapName(), is(LabSettings.defaults().mapName()));
        assertThat(settings.consulIndex(), greaterThan(0L));
    }

    @Test
    void malformedDocumentKeepsTheLastGoodSettingsAndSaysSo() {
        LiveSettings settings = bootstrap().settings();
        put("{\"queue_name\": \"good\"}");
        Eventually.await(Duration.ofSeconds(5), () -> "good".equals(settings.current().queueName()), "good value applied");

        put("{\"queue_name\": \"broken\"");
        Eventually.await(Duration.ofSeconds(5), () -> settings.problem().isPresent(), "problem reported");
        assertThat(settings.current().queueName(), is("good"));
        assertThat(settings.problem().get(), containsString("not JSON"));
        HealthCheckResponse health = settings.call();
        assertThat(health.status(), is(HealthCheckResponse.Status.UP));
        assertThat(String.valueOf(health.details().get("problem")), containsString("last good"));

        put("{\"queue_name\": {\"nested\": true}}");
        Eventually.await(Duration.ofSeconds(5),
                         () -> settings.problem().map(it -> it.contains("must be a non-empty string")).orElse(false),
                         "type problem reported");
        assertThat(settings.current().queueName(), is("good"));

        put("{\"queue_name\": \"fixed\"}");
        Eventually.await(Duration.ofSeconds(5), () -> "fixed".equals(settings.current().queueName()), "fix applied");
        assertThat(settings.problem().isPresent(), is(false));
    }

    @Test
    void aChangedPathIsReportedAndKeptUntilRestartWhileTheRestApplies() {
        LiveSettings settings = bootstrap().settings();
        put("""
                {"queue_name": "moved", "api-endpoints": {"facade": "/f", "logging": "/l", "messages": "/m"}}""");
        Eventually.await(Duration.ofSeconds(5), () -> "moved".equals(settings.current().queueName()), "change applied");
        assertThat(settings.current().endpoints(), is(LabSettings.defaults().endpoints()));
        assertThat(settings.problem().orElseThrow(), containsString("api-endpoints changed"));
        assertThat(String.valueOf(settings.call().details().get("problem")), containsString("until it restarts"));

        put("{\"queue_name\": \"back\"}");
        Eventually.await(Duration.ofSeconds(5), () -> "back".equals(settings.current().queueName()), "change applied");
        assertThat(settings.problem().isPresent(), is(false));
    }

    @Test
    void putsTheDocumentBackWhenConsulLosesIt() {
        LiveSettings settings = bootstrap().settings();
        put("{\"queue_name\": \"precious\"}");
        Eventually.await(Duration.ofSeconds(5), () -> "precious".equals(settings.current().queueName()), "value applied");

        agent.restart();
        Eventually.await(Duration.ofSeconds(15), () -> agent.get("/v1/kv/lab_settings?raw").contains("precious"),
                         "the restarted agent has lab_settings again");
        assertThat(settings.current().queueName(), is("precious"));
    }

    // One per test, closed after it: a watch left from another test would put back its own last view.
    private LabBootstrap lab;

    @AfterEach
    void closeTheBootstrap() {
        if (lab != null) {
            lab.close();
        }
    }

    private LabBootstrap bootstrap() {
        lab = LabBootstrap.builder().serviceName("live-test").endpoint(agent.endpoint()).build();
        return lab;
    }

    private static void put(String document) {
        agent.put("/v1/kv/lab_settings", document);
    }
}
