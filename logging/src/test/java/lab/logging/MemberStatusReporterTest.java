package lab.logging;

import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import lab.consul.KvDocument;
import lab.runtime.HazelcastConnection;
import lab.runtime.LabBootstrap;
import lab.runtime.LabSettings;
import lab.testing.ConsulAgent;
import lab.launcher.Eventually;
import lab.testing.HazelcastCluster;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

class MemberStatusReporterTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void keepsClusterNodesInKvCurrent() throws Exception {
        try (ConsulAgent consul = ConsulAgent.start(); HazelcastCluster cluster = HazelcastCluster.start(2)) {
            consul.put("/v1/kv/lab_settings", cluster.labSettings("q", "m"));
            LabBootstrap lab = LabBootstrap.builder().serviceName("logging-service").endpoint(consul.endpoint()).build();
            LabSettings settings = lab.settings().current();
            String first = cluster.addresses().get(0);
            String second = cluster.addresses().get(1);
            try (HazelcastConnection ignored = HazelcastConnection.connect(
                    settings, "reporter-test",
                    MemberStatusReporter.create(KvDocument.create(consul.endpoint(), MemberStatusReporter.KEY),
                                                settings::hazelcastMembers))) {
                Eventually.await(Duration.ofSeconds(20), () -> status(consul, first) == 1 && status(consul, second) == 1,
                                 "both members reported up");
                cluster.stopMember(1);
                Eventually.await(Duration.ofSeconds(30), () -> status(consul, second) == 0, "stopped member reported down");
                assertThat(status(consul, first), is(1));
                assertThat("lab_settings is not touched", document(consul, "lab_settings").has(MemberStatusReporter.KEY), is(false));
            }
        }
    }

    private static int status(ConsulAgent consul, String member) {
        JsonNode nodes = document(consul, MemberStatusReporter.KEY);
        return nodes.has(member) ? nodes.get(member).asInt() : -1;
    }

    private static JsonNode document(ConsulAgent consul, String key) {
        try {
            String raw = consul.get("/v1/kv/" + key + "?raw");
            return raw.isEmpty() ? JSON.createObjectNode() : JSON.readTree(raw);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
