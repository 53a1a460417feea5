package lab.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The command lines of the lab's Java processes: a service instance from its jar, a Hazelcast
 * member from Hazelcast's jar. Both get the flags of {@code jvm.options}; an instance also gets its
 * sizing ({@code instance.options}, as in its container image), the memory a container would give
 * it ({@code local.options}) and its AOT cache ({@link AotCache}). The build writes the files from
 * the parent pom.
 */
public final class LabJvm {

    private static final List<String> OPTIONS = readOptions("jvm.options");
    private static final List<String> INSTANCE = readOptions("instance.options");
    private static final List<String> LOCAL = readOptions("local.options");
    // what R6c compares the instances' settings with: the heap they had before, nothing else
    private static final List<String> BASELINE = List.of("-Xmx256m");

    private LabJvm() {
    }

    /**
     * The {@code java} this launcher runs on (21+, or it would not run), used for every process.
     *
     * @return path of the java executable
     */
    public static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    /**
     * The flags of {@code jvm.options}.
     *
     * @return JVM flags
     */
    public static List<String> options() {
        return OPTIONS;
    }

    /**
     * One service instance, with its jar's AOT cache while that is fresh ({@link AotCache}).
     *
     * @param jar   e.g. {@code logging/target/logging.jar}
     * @param port  port, 0 for one the instance picks and registers
     * @param extra JVM flags after the common ones (they win over them)
     * @return command line
     */
    public static List<String> service(Path jar, int port, List<String> extra) {
        List<String> jvm = new ArrayList<>(INSTANCE);
        jvm.addAll(LOCAL);
        jvm.addAll(AotCache.use(jar));
        jvm.addAll(extra);
        return command(jar, port, jvm);
    }

    /**
     * One service instance as it was started before its sizing and AOT cache: {@code -Xmx256m}
     * and the JVM's defaults (bench.sh R6c compares the two).
     *
     * @param jar  service jar
     * @param port port, 0 for any
     * @return command line
     */
    public static List<String> baseline(Path jar, int port) {
        return command(jar, port, BASELINE);
    }

    /**
     * The flags of {@code instance.options}: an instance's sizing.
     *
     * @return JVM flags
     */
    public static List<String> instanceOptions() {
        return INSTANCE;
    }

    /**
     * The flags of {@code local.options}: outside a container, the memory an instance is sized for.
     *
     * @return JVM flags
     */
    public static List<String> localOptions() {
        return LOCAL;
    }

    private static List<String> command(Path jar, int port, List<String> jvm) {
        List<String> command = new ArrayList<>(List.of(java()));
        command.addAll(OPTIONS);
        command.addAll(jvm);
        command.addAll(List.of("-jar", jar.toString(), "--port", Integer.toString(port)));
        return command;
    }

    /**
     * The jar the lab's Hazelcast members run: Hazelcast's own, which the launcher's build copies to
     * {@code compose/launcher/target/hazelcast/hazelcast.jar}. Not a service's {@code libs/}: the
     * services run hazelcast-client's, the same classes without the members' serializer hooks.
     *
     * @param home the project's root
     * @return the jar, unless the launcher is not built
     */
    public static Optional<Path> memberJar(Path home) {
        return Optional.of(home.resolve("compose/launcher/target/hazelcast/hazelcast.jar")).filter(Files::isRegularFile);
    }

    /**
     * One Hazelcast member, bound to its own address only, configured by {@link #memberEnvironment}.
     *
     * @param hazelcastJar Hazelcast's jar
     * @param extra        JVM flags after the common ones
     * @return command line
     */
    public static List<String> member(Path hazelcastJar, List<String> extra) {
        List<String> command = new ArrayList<>(List.of(java()));
        command.addAll(OPTIONS);
        command.add("-Dhazelcast.socket.bind.any=false");
        command.addAll(extra);
        command.addAll(List.of("-cp", hazelcastJar.toString(), "com.hazelcast.core.server.HazelcastMemberStarter"));
        return command;
    }

    /**
     * A member's configuration, in Hazelcast's own environment overrides: TCP join of the listed
     * members, no multicast, a fixed port.
     *
     * @param cluster cluster name
     * @param member  this member, {@code host:port}
     * @param members every member
     * @return environment
     */
    public static Map<String, String> memberEnvironment(String cluster, String member, List<String> members) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("HZ_CLUSTERNAME", cluster);
        env.put("HZ_NETWORK_PORT_PORT", member.substring(member.lastIndexOf(':') + 1));
        env.put("HZ_NETWORK_PORT_AUTOINCREMENT", "false");
        env.put("HZ_NETWORK_JOIN_MULTICAST_ENABLED", "false");
        env.put("HZ_NETWORK_JOIN_TCPIP_ENABLED", "true");
        env.put("HZ_NETWORK_JOIN_TCPIP_MEMBERS", String.join(",", members));
        return env;
    }

    private static List<String> readOptions(String file) {
        try (InputStream in = LabJvm.class.getResourceAsStream(file)) {
            if (in == null) {
                throw new IllegalStateException(file + " is missing from the launcher's class path: build it (mvn package)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .map(line -> line.replaceFirst("#.*", "").strip())
                    .flatMap(line -> line.isEmpty() ? Stream.empty() : Stream.of(line.split("\\s+")))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
