package lab.compose;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import lab.launcher.AotCache;
import lab.testing.ConsulAgent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/**
 * The AOT cache as the launcher makes and uses it, on a copy of the messages service's jar and
 * libraries (a build of its own, so the repository's cache is left alone), against a real Consul
 * agent and Hazelcast member:
 * <ol>
 *     <li>a training run (passing in Consul, a few requests, SIGTERM) writes the cache as its JVM
 *     exits, and the cache is fresh;</li>
 *     <li>the next instance starts with it: {@code -XX:AOTMode=on} makes the JVM refuse to start
 *     with a cache it cannot use, so passing proves the cache was used;</li>
 *     <li>a build newer than the cache makes it stale: the launcher leaves it out; and a cache the
 *     JVM cannot use (in its default {@code -XX:AOTMode=auto}) costs a log line, never the start.
 *     (The JVM's own check covers its build and the module flags, but on 25.0.3 not a jar's time:
 *     the launcher's check is the one that keeps a rebuilt jar from an old cache.)</li>
 * </ol>
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AotCacheIT {

    @RegisterExtension
    @Order(1)
    static final ConsulAgent consul = ConsulAgent.perClass();
    @RegisterExtension
    @Order(2)
    static final LabProcesses lab = new LabProcesses("aot");

    private static final Duration SLOW = Duration.ofSeconds(90);
    private static Path jar;

    @BeforeAll
    static void copyTheServiceAndStartConsulAndHazelcast() throws IOException {
        assertThat("the lab's java has AOT caches (JDK 25+): " + Runtime.version(), AotCache.supported(), is(true));
        Path build = LabProcesses.REPO.resolve("compose/target/lab-logs/aot/build");
        copy(LabProcesses.REPO.resolve("messages/target"), build);
        jar = build.resolve("messages.jar");
        Files.deleteIfExists(AotCache.file(jar));
        String cluster = "aot-" + consul.httpPort();
        List<String> members = lab.startHazelcast(cluster, 1);
        consul.put("/v1/kv/lab_settings", LabProcesses.settings(cluster, members, "aot-queue", "aot-map"));
    }

    @Test
    @Order(1)
    void aTrainingRunWritesAFreshCacheAsItsJvmExits() {
        lab.startJar(jar, "training", consul.address(), Map.of(), AotCache.record(jar), 0);
        lab.awaitPassing(URI.create("http://" + consul.address()), SLOW, List.of("training"));
        URI instance = lab.awaitRegistration("training").uri();
        for (int i = 0; i < 20; i++) {
            for (String path : List.of("/messages?limit=5", "/settings", "/observe/health/ready")) {
                assertThat(path, LabHttp.get(instance.resolve(path)).statusCode(), is(200));
            }
        }
        lab.supervisor().stop(List.of("training"), Duration.ofSeconds(60));
        assertThat("written: " + lab.log("training"), Files.isRegularFile(AotCache.file(jar)), is(true));
        assertThat(size(AotCache.file(jar)), greaterThan(10L * 1024 * 1024));
        assertThat(AotCache.fresh(jar), is(true));
        assertThat(AotCache.use(jar), is(List.of("-XX:AOTCache=" + AotCache.file(jar))));
    }

    @Test
    @Order(2)
    void theNextInstanceStartsWithTheCache() {
        lab.startJar(jar, "cached", consul.address(), Map.of(), List.of("-XX:AOTMode=on"), 0);
        lab.awaitPassing(URI.create("http://" + consul.address()), SLOW, List.of("cached"));
        assertThat(LabHttp.get(lab.awaitRegistration("cached").resolve("/messages")).statusCode(), is(200));
        // a cache the JVM took whole: no [warning][aot] line (25.0.3 printed two at every start while
        // the cache held adapters, AotCache.record)
        assertThat(lab.log("cached"), not(containsString("[warning][aot")));
        lab.supervisor().stop(List.of("cached"));
    }

    @Test
    @Order(3)
    void aStaleCacheIsLeftOutAndAnUnusableOneNeverStopsAnInstance() throws IOException {
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now()));
        assertThat("a jar newer than the cache", AotCache.fresh(jar), is(false));
        assertThat(AotCache.use(jar), is(List.of()));
        lab.startJar(jar, "stale", consul.address(), Map.of(), List.of(), 0);
        // a cache the JVM cannot use (here: not a cache at all): it says so and starts without it
        Path broken = jar.resolveSibling("broken.aot");
        Files.writeString(broken, "not an AOT cache");
        lab.startJar(jar, "broken", consul.address(), Map.of(), List.of("-XX:AOTCache=" + broken), 0);
        lab.awaitPassing(URI.create("http://" + consul.address()), SLOW, List.of("stale", "broken"));
        for (String name : List.of("stale", "broken")) {
            assertThat(name, LabHttp.get(lab.awaitRegistration(name).resolve("/messages")).statusCode(), is(200));
        }
        assertThat(lab.log("broken"), containsString("An error has occurred while processing the AOT cache"));
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // The jar and libs/ only (no old cache), with fresh times: a build of its own.
    private static void copy(Path target, Path to) throws IOException {
        Files.createDirectories(to.resolve("libs"));
        Files.copy(target.resolve("messages.jar"), to.resolve("messages.jar"), StandardCopyOption.REPLACE_EXISTING);
        try (Stream<Path> libs = Files.list(target.resolve("libs"))) {
            for (Path lib : libs.toList()) {
                Files.copy(lib, to.resolve("libs").resolve(lib.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }
}
