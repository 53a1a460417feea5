package lab.compose;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import lab.testing.FreePorts;

/**
 * The lab as separate processes: Hazelcast members and service instances started from the built
 * jars, each with its own log file, all stopped at the end.
 */
final class LabProcesses implements AutoCloseable {

    static final Path REPO = Path.of("").toAbsolutePath().getParent();
    private static final String JAVA = ProcessHandle.current().info().command().orElse("java");
    private static final List<String> JVM_FLAGS = List.of(
            "-Xmx160m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "--add-modules", "java.se",
            "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang=ALL-UNNAMED",
            "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens", "java.management/sun.management=ALL-UNNAMED",
            "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
            "-Dhazelcast.phone.home.enabled=false",
            "-Dhazelcast.health.monitoring.level=OFF");

    private final Path logs;
    private final Map<String, Process> processes = new LinkedHashMap<>();

    LabProcesses(String name) {
        try {
            this.logs = Files.createDirectories(REPO.resolve("compose/target/lab-logs/" + name));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Starts {@code size} Hazelcast members as separate JVMs, joined over TCP on 127.0.0.1.
     *
     * @return member addresses
     */
    List<String> startHazelcast(String clusterName, int size) {
        List<String> members = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            members.add("127.0.0.1:" + FreePorts.next());
        }
        for (int i = 0; i < size; i++) {
            List<String> command = new ArrayList<>(List.of(JAVA));
            command.addAll(JVM_FLAGS);
            command.addAll(List.of("-Dhazelcast.socket.bind.any=false", "-Dhazelcast.partition.count=23",
                                   "-cp", hazelcastJar().toString(), "com.hazelcast.core.server.HazelcastMemberStarter"));
            start("hazelcast-" + (i + 1), command, Map.of(
                    "HZ_CLUSTERNAME", clusterName,
                    "HZ_NETWORK_PORT_PORT", members.get(i).split(":")[1],
                    "HZ_NETWORK_PORT_AUTOINCREMENT", "false",
                    "HZ_NETWORK_JOIN_MULTICAST_ENABLED", "false",
                    "HZ_NETWORK_JOIN_TCPIP_ENABLED", "true",
                    "HZ_NETWORK_JOIN_TCPIP_MEMBERS", String.join(",", members)));
        }
        return members;
    }

    /**
     * Starts one instance of a service from its jar, on a free port it picks itself.
     *
     * @param service       {@code facade}, {@code logging} or {@code messages}
     * @param name          unique process name
     * @param consulAddress {@code host:port} of the agent
     */
    void startService(String service, String name, String consulAddress, Map<String, String> environment) {
        Path jar = REPO.resolve(service + "/target/" + service + ".jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: run mvn verify from the repository root");
        }
        List<String> command = new ArrayList<>(List.of(JAVA));
        command.addAll(JVM_FLAGS);
        command.addAll(List.of("-jar", jar.toString(), "--port", "0"));
        Map<String, String> env = new LinkedHashMap<>(environment);
        env.put("CONSUL_HTTP_ADDR", consulAddress);
        start(name, command, env);
    }

    Process process(String name) {
        return processes.get(name);
    }

    /**
     * The last lines of a process's log, for failure messages.
     */
    String logTail(String name) {
        try {
            List<String> lines = Files.readAllLines(logs.resolve(name + ".log"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    String allLogTails() {
        StringBuilder all = new StringBuilder();
        processes.keySet().forEach(name -> all.append("\n--- ").append(name).append(" ---\n").append(logTail(name)));
        return all.toString();
    }

    @Override
    public void close() {
        processes.values().forEach(Process::destroy);
        processes.values().forEach(process -> {
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    private void start(String name, List<String> command, Map<String, String> environment) {
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(logs.resolve(name + ".log").toFile());
        builder.environment().putAll(environment);
        try {
            processes.put(name, builder.start());
        } catch (IOException e) {
            throw new IllegalStateException("Cannot start " + name + ": " + e.getMessage(), e);
        }
    }

    private static Path hazelcastJar() {
        try {
            return Path.of(com.hazelcast.core.Hazelcast.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
