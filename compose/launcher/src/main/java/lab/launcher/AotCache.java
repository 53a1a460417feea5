package lab.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;

/**
 * The AOT cache of one service jar (JDK 25, JEP 483/514): the classes a training run loaded and
 * linked, mapped into the next JVM so that it skips that work. Not the training's method profiles
 * (JEP 515): with them the JIT compiled the start-up's hot methods with C2 during the start, which
 * on 2 cores took the CPU the start itself needed (docs/benchmarks.md, Lean start).
 * <ul>
 *     <li>{@code <service>/target/<service>.aot}, beside the jar, written by a training run
 *     ({@link #record}) when that JVM exits;</li>
 *     <li>used ({@link #use}) only while it is <em>fresh</em>: newer than the jar and every jar of
 *     its {@code libs/}. A build makes it stale, and the next {@code local.sh up} trains again;</li>
 *     <li>never a reason not to start: the JVM checks the cache too (its own build, the class path's
 *     names, the module flags) and, in the default {@code -XX:AOTMode=auto}, runs without a cache
 *     it cannot use, saying so in a few {@code [error][aot]} lines. It did not notice a jar whose
 *     time changed (25.0.3, measured): the time check here is what keeps an old cache from a new build.</li>
 * </ul>
 */
public final class AotCache {

    private AotCache() {
    }

    /**
     * Whether the {@code java} that runs the lab's processes (this launcher's) has AOT caches.
     *
     * @return true on 25+
     */
    public static boolean supported() {
        return Runtime.version().feature() >= 25;
    }

    /**
     * Where a jar's cache lives.
     *
     * @param jar service jar, e.g. {@code facade/target/facade.jar}
     * @return {@code facade/target/facade.aot}
     */
    public static Path file(Path jar) {
        String name = jar.getFileName().toString();
        return jar.resolveSibling(name.substring(0, name.length() - ".jar".length()) + ".aot");
    }

    /**
     * Whether the cache was trained on this very build of the jar and its libraries.
     *
     * @param jar service jar
     * @return true when the cache is newer than the jar and every library
     */
    public static boolean fresh(Path jar) {
        Path cache = file(jar);
        if (!Files.isRegularFile(cache)) {
            return false;
        }
        try (Stream<Path> libs = Files.isDirectory(jar.resolveSibling("libs")) ? Files.list(jar.resolveSibling("libs")) : Stream.empty()) {
            FileTime trained = Files.getLastModifiedTime(cache);
            return Stream.concat(Stream.of(jar), libs).allMatch(it -> modified(it).compareTo(trained) < 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The flags that start an instance with its cache, none while the cache is missing or stale.
     *
     * @param jar service jar
     * @return JVM flags
     */
    public static List<String> use(Path jar) {
        return supported() && fresh(jar) ? List.of("-XX:AOTCache=" + file(jar)) : List.of();
    }

    /**
     * The flags of a training run: the JVM writes the cache when it exits (after SIGTERM too),
     * without method profiles and without the interpreter's adapters (both diagnostic flags in 25).
     * 25.0.3 keys a stored adapter by a hash of its signature; two of the lab's signatures share one,
     * and every instance started from such a cache printed two {@code [warning][aot]} lines for it
     * (JDK-8364929, fixed after 25 by unique ids). The JVM makes its ~700 adapters itself: starts
     * were no slower in 20 interleaved pairs (docs/benchmarks.md, the AOT cache's adapters).
     *
     * @param jar service jar
     * @return JVM flags
     */
    public static List<String> record(Path jar) {
        return List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:-AOTRecordTraining", "-XX:-AOTAdapterCaching",
                "-XX:AOTCacheOutput=" + file(jar));
    }

    private static FileTime modified(Path file) {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
