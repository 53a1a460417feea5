package lab.runtime;

import java.time.Duration;
import java.util.List;

import io.helidon.common.media.type.MediaTypes;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.health.HealthCheckResponse;
import lab.consul.discovery.HealthTtl;
import lab.consul.discovery.TtlStatus;
import lab.launcher.Eventually;
import lab.testing.HazelcastCluster;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

class HazelcastConnectionTest {

    @Test
    void reportsPassingOnlyWhileConnected() {
        try (HazelcastCluster cluster = HazelcastCluster.start(1)) {
            LabSettings settings = LabSettings.create(Config.builder()
                    .disableEnvironmentVariablesSource()
                    .disableSystemPropertiesSource()
                    .sources(List.of(ConfigSources.create(cluster.labSettings("q", "m"), MediaTypes.APPLICATION_JSON),
                                     ConfigSources.classpath(LabSettings.DEFAULTS_RESOURCE)))
                    .build());
            try (HazelcastConnection connection = HazelcastConnection.connect(settings, "connection-test")) {
                Eventually.await(Duration.ofSeconds(20), connection::connected, "client connects");
                assertThat(connection.call().status(), is(HealthCheckResponse.Status.UP));
                connection.client().getMap("m").put("k", "v");
                cluster.close();
                Eventually.await(Duration.ofSeconds(20), () -> !connection.connected(), "client notices the cluster is gone");
                assertThat(HealthTtl.create(List.of(connection)).get().state(), is(TtlStatus.State.WARNING));
            }
        }
    }
}
