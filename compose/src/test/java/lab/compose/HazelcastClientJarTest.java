package lab.compose;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarFile;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

/**
 * An instance runs Hazelcast as a client: its class path holds hazelcast-client's jar, whose serializer
 * hook lists name only what a client reads back, and never Hazelcast's own jar beside it. Hazelcast's
 * loader reads the lists of every jar on the class path, so one more jar would bring the members' hooks
 * and their ~1,300 classes back into every instance (shared-config/hazelcast-client/pom.xml).
 */
class HazelcastClientJarTest {

    private static final Path REPO = Path.of("").toAbsolutePath().getParent();

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
        try (JarFile jar = new JarFile(REPO.resolve("facade/target").resolve(client).toFile())) {
            List<String> hooks = services(jar, "com.hazelcast.DataSerializerHook");
            assertThat(hooks, hasItem("com.hazelcast.client.impl.ClientDataSerializerHook"));
            assertThat(hooks, not(hasItem("com.hazelcast.map.impl.MapDataSerializerHook")));
            assertThat(hooks, not(hasItem("com.hazelcast.jet.core.JetDataSerializerHook")));
            for (String hook : hooks) {
                assertThat(hook, jar.getEntry(hook.replace('.', '/') + ".class"), notNullValue());
            }
            assertThat(services(jar, "com.hazelcast.SerializerHook"), empty());
            // the classes are all there: a member-side type is only not registered
            assertThat(jar.getEntry("com/hazelcast/map/impl/MapDataSerializerHook.class"), notNullValue());
        }
    }

    private static List<String> classPath(String service) throws IOException {
        try (JarFile jar = new JarFile(REPO.resolve(service + "/target/" + service + ".jar").toFile())) {
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
