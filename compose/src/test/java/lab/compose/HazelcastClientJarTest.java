package lab.compose;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarFile;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

/**
 * An instance runs Hazelcast as a client: its class path holds hazelcast-client's jar, whose serializer
 * hook lists name only what a client reads back, and never Hazelcast's own jar beside it. Hazelcast's
 * loader reads the lists of every jar on the class path, so one more jar would bring the members' hooks
 * and their ~1,380 classes back into every instance (shared-config/hazelcast-client/pom.xml).
 */
class HazelcastClientJarTest {

    @Test
    void everyServiceRunsHazelcastsClientJarAlone() throws IOException {
        for (String service : List.of("facade", "logging", "messages")) {
            List<String> hazelcast = classPath(service).stream().filter(jar -> jar.startsWith("libs/hazelcast")).toList();
            assertThat(service, hazelcast, hasSize(1));
            assertThat(service, hazelcast.getFirst(), startsWith("libs/hazelcast-client-"));
        }
    }

    @Test
    void theClientJarListsTheClientsHooksOnly() throws IOException {
        String client = classPath("facade").stream().filter(jar -> jar.startsWith("libs/hazelcast-client-")).findFirst().orElseThrow();
        try (JarFile jar = new JarFile(LabProcesses.REPO.resolve("facade/target").resolve(client).toFile())) {
            List<String> hooks = services(jar, "com.hazelcast.DataSerializerHook");
            // a hook more is a decision: its classes, and those its lambdas construct, in every instance
            assertThat(hooks, containsInAnyOrder("com.hazelcast.client.impl.ClientDataSerializerHook",
                                                 "com.hazelcast.spi.impl.SpiDataSerializerHook",
                                                 "com.hazelcast.internal.util.collection.UtilCollectionSerializerHook",
                                                 "com.hazelcast.internal.serialization.impl.compact.schema.SchemaDataSerializerHook",
                                                 "com.hazelcast.json.internal.JsonDataSerializerHook"));
            for (String hook : hooks) {
                assertThat(hook, jar.getEntry(hook.replace('.', '/') + ".class"), notNullValue());
            }
            assertThat(services(jar, "com.hazelcast.SerializerHook"), empty());
            // the classes are all there: a member-side type is only not registered
            assertThat(jar.getEntry("com/hazelcast/map/impl/MapDataSerializerHook.class"), notNullValue());
        }
    }

    private static List<String> classPath(String service) throws IOException {
        try (JarFile jar = new JarFile(LabProcesses.REPO.resolve(service + "/target/" + service + ".jar").toFile())) {
            return Arrays.asList(jar.getManifest().getMainAttributes().getValue(Attributes.Name.CLASS_PATH).split(" "));
        }
    }

    private static List<String> services(JarFile jar, String service) throws IOException {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(
                jar.getInputStream(jar.getEntry("META-INF/services/" + service)), StandardCharsets.UTF_8))) {
            return lines.lines().map(line -> line.replaceFirst("#.*", "").strip()).filter(line -> !line.isEmpty()).toList();
        }
    }
}
