package lab.compose;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import lab.testing.ConsulAgent;
import lab.testing.Eventually;
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

    // What Registrar logs once the instance is in Consul: "Registered <id> at <host>:<port> (TTL ...)".
    private static final Pattern REGISTERED = Pattern.compile("Registered (\\S+) at (\\S+):(\\d+) ");

    private final Path logs;
    private final Map<String, Process> processes = new LinkedHashMap<>();
    private final Set<String> paused = new HashSet<>();

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
        return startHazelcast(clusterName, size, Map.of());
    }

    /**
     * Starts {@code size} Hazelcast members with extra environment, e.g. Hazelcast's own config
     * overrides such as {@code HZ_MAP_DEFAULT_BACKUPCOUNT}.
     *
     * @return member addresses
     */
    List<String> startHazelcast(String clusterName, int size, Map<String, String> environment) {
        List<String> members = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            members.add("127.0.0.1:" + FreePorts.next());
        }
        for (int i = 0; i < size; i++) {
            List<String> command = new ArrayList<>(List.of(JAVA));
            command.addAll(JVM_FLAGS);
            command.addAll(List.of("-Dhazelcast.socket.bind.any=false", "-Dhazelcast.partition.count=23",
                                   "-cp", hazelcastJar().toString(), "com.hazelcast.core.server.HazelcastMemberStarter"));
            Map<String, String> env = new LinkedHashMap<>(environment);
            env.putAll(Map.of(
                    "HZ_CLUSTERNAME", clusterName,
                    "HZ_NETWORK_PORT_PORT", members.get(i).split(":")[1],
                    "HZ_NETWORK_PORT_AUTOINCREMENT", "false",
                    "HZ_NETWORK_JOIN_MULTICAST_ENABLED", "false",
                    "HZ_NETWORK_JOIN_TCPIP_ENABLED", "true",
                    "HZ_NETWORK_JOIN_TCPIP_MEMBERS", String.join(",", members)));
            start("hazelcast-" + (i + 1), command, env);
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

    /**
     * Starts {@code logging} logging, {@code messages} messages and {@code facades} facade instances
     * ({@code logging-1}, ..., {@code facade-2}) against the agent, each with the environment given
     * for its service, and waits until all of them pass.
     *
     * @param consul      the agent
     * @param environment extra environment per service ({@code logging}, ...); absent means none
     */
    void startServices(ConsulAgent consul, Map<String, Map<String, String>> environment,
                       int facades, int logging, int messages) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        counts.put("logging", logging);
        counts.put("messages", messages);
        counts.put("facade", facades);
        counts.forEach((service, count) -> {
            for (int i = 1; i <= count; i++) {
                startService(service, service + "-" + i, consul.address(), environment.getOrDefault(service, Map.of()));
            }
        });
        awaitPassing(consul, Duration.ofSeconds(180), facades, logging, messages);
    }

    /**
     * A {@code lab_settings} document for a cluster of these members.
     *
     * @return JSON text
     */
    static String settings(String cluster, List<String> members, String queue, String map) {
        return """
                {"cluster_name": "%s",
                 "queue_name": "%s",
                 "map_name": "%s",
                 "hazelcast_members": %s,
                 "api-endpoints": {"facade": "/facade", "logging": "/logging", "messages": "/messages"}}
                """.formatted(cluster, queue, map, LabHttp.json(members));
    }

    /**
     * Waits until Consul lists the given numbers of passing facade, logging and messages instances;
     * the failure message carries every process's log tail.
     */
    void awaitPassing(ConsulAgent consul, Duration timeout, int facades, int logging, int messages) {
        Eventually.await(timeout,
                         () -> LabHttp.passing(consul, "facade-service").size() == facades
                                 && LabHttp.passing(consul, "logging-service").size() == logging
                                 && LabHttp.passing(consul, "messages-service").size() == messages ? Boolean.TRUE : null,
                         () -> facades + " facade, " + logging + " logging, " + messages
                                 + " messages instances passing in Consul" + allLogTails());
    }

    Process process(String name) {
        return processes.get(name);
    }

    /**
     * {@code kill -9} of one or more processes at once: they get no chance to deregister or say
     * goodbye. Returns when all of them are gone.
     */
    void kill(String... names) {
        for (String name : names) {
            paused.remove(name);
            processes.get(name).destroyForcibly();
        }
        for (String name : names) {
            try {
                if (!processes.get(name).waitFor(10, TimeUnit.SECONDS)) {
                    throw new IllegalStateException(name + " survived SIGKILL");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /**
     * {@code kill -STOP}: the process freezes (no heartbeat, no polls, no answers) until {@link #resume}.
     */
    void pause(String name) {
        signal(name, "-STOP");
        paused.add(name);
    }

    /**
     * {@code kill -CONT}: a paused process runs on where it stopped.
     */
    void resume(String name) {
        signal(name, "-CONT");
        paused.remove(name);
    }

    /**
     * The Consul service id and base URI the instance logged when it registered, once it has.
     *
     * @param name process name
     * @return registration, empty while the instance has not registered yet
     */
    /**
     * The registration a process logged, waiting for its log line: Consul may list an instance as
     * passing a moment before the line that says so reaches the log file.
     *
     * @param name process name
     * @return registration
     */
    Registration awaitRegistration(String name) {
        return Eventually.await(Duration.ofSeconds(10), () -> registration(name).orElse(null),
                                () -> name + " logs its registration" + allLogTails());
    }

    Optional<Registration> registration(String name) {
        Matcher matcher = REGISTERED.matcher(log(name));
        return matcher.find()
                ? Optional.of(new Registration(matcher.group(1),
                                               URI.create("http://" + matcher.group(2) + ":" + matcher.group(3))))
                : Optional.empty();
    }

    /**
     * A process's whole log so far.
     */
    String log(String name) {
        try {
            return Files.readString(logs.resolve(name + ".log"));
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * Names of the processes that are alive now, in start order.
     */
    List<String> alive() {
        return processes.entrySet().stream().filter(entry -> entry.getValue().isAlive()).map(Map.Entry::getKey).toList();
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
        // A stopped process would not act on SIGTERM before the 10 s are up.
        List.copyOf(paused).forEach(name -> {
            try {
                resume(name);
            } catch (RuntimeException e) {
                // gone already
            }
        });
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

    private void signal(String name, String signal) {
        long pid = processes.get(name).pid();
        try {
            Process kill = new ProcessBuilder("kill", signal, Long.toString(pid)).redirectErrorStream(true).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill " + signal + " " + pid + " (" + name + ") failed: "
                                                        + new String(kill.getInputStream().readAllBytes()));
            }
        } catch (IOException e) {
            throw new IllegalStateException("Cannot run kill: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
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

    /**
     * Where an instance is in Consul.
     *
     * @param id  Consul service id
     * @param uri {@code http://host:port}
     */
    record Registration(String id, URI uri) {

        URI resolve(String path) {
            return uri.resolve(path);
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
