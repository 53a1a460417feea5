package lab.compose;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import lab.testing.ConsulAgent;
import lab.launcher.ConsulHealth;
import lab.launcher.Eventually;
import lab.launcher.LabJvm;
import lab.launcher.Supervisor;
import lab.testing.FreePorts;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The lab as separate processes, started as {@code compose/local.sh} starts them (the launcher's
 * {@link Supervisor} and {@link LabJvm}): Hazelcast members and service instances from the built
 * jars, each with its own log file, all stopped at the end. The tests' JVMs are small and skip
 * the optimising compiler: they start faster on two cores and serve little traffic. Register it
 * after the class's {@link ConsulAgent} so that it stops first:
 * <pre>
 * &#64;RegisterExtension &#64;Order(1) static final ConsulAgent consul = ConsulAgent.perClass();
 * &#64;RegisterExtension &#64;Order(2) static final LabProcesses lab = new LabProcesses("e2e");
 * </pre>
 */
final class LabProcesses implements AutoCloseable, AfterAllCallback {

    static final Path REPO = Path.of("").toAbsolutePath().getParent();
    private static final List<String> TEST_JVM = List.of("-Xmx160m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    // What Registrar logs once the instance is in Consul: "Registered <id> at <host>:<port> (TTL ...)".
    private static final Pattern REGISTERED = Pattern.compile("Registered (\\S+) at (\\S+):(\\d+) ");

    private final Supervisor processes;

    LabProcesses(String name) {
        this.processes = Supervisor.owning(REPO.resolve("compose/target/lab-logs/" + name));
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
            Map<String, String> env = new LinkedHashMap<>(environment);
            env.putAll(LabJvm.memberEnvironment(clusterName, members.get(i), members));
            List<String> jvm = new ArrayList<>(TEST_JVM);
            jvm.add("-Dhazelcast.partition.count=23");
            processes.start("hazelcast-" + (i + 1), LabJvm.member(hazelcastJar(), jvm), env);
        }
        return members;
    }

    /**
     * Starts one Hazelcast member on each of the given addresses ("hosts"), joined over TCP.
     *
     * @return member addresses
     */
    List<String> startHazelcastOn(String clusterName, List<String> hosts, Map<String, String> environment) {
        List<String> members = hosts.stream().map(host -> host + ":" + FreePorts.next()).toList();
        for (int i = 0; i < members.size(); i++) {
            Map<String, String> env = new LinkedHashMap<>(environment);
            env.putAll(LabJvm.memberEnvironment(clusterName, members.get(i), members));
            List<String> jvm = new ArrayList<>(TEST_JVM);
            jvm.addAll(List.of("-Dhazelcast.partition.count=23", "-Dhazelcast.local.localAddress=" + hosts.get(i)));
            processes.start("hazelcast-" + (i + 1), LabJvm.member(hazelcastJar(), jvm), env);
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
        startService(service, name, consulAddress, environment, 0);
    }

    /**
     * Starts one instance of a service from its jar on a given port (0: one it picks itself).
     */
    void startService(String service, String name, String consulAddress, Map<String, String> environment, int port) {
        Path jar = REPO.resolve(service + "/target/" + service + ".jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: run mvn verify from the repository root");
        }
        startJar(jar, name, consulAddress, environment, TEST_JVM, port);
    }

    /**
     * Starts one instance from a given jar (a copy of a service's, say) with the given JVM flags
     * after the lab's (its AOT cache, when fresh, among them), on a given port (0: one it picks).
     */
    void startJar(Path jar, String name, String consulAddress, Map<String, String> environment, List<String> jvm, int port) {
        Map<String, String> env = new LinkedHashMap<>(environment);
        env.put("CONSUL_HTTP_ADDR", consulAddress);
        processes.start(name, LabJvm.service(jar, port, jvm), env);
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
     * Waits until Consul (asked through this agent) lists every one of these instances as passing,
     * by the address and port each logged when it registered; the failure message carries every
     * process's log tail.
     */
    void awaitPassing(URI agent, Duration timeout, List<String> names) {
        Eventually.await(timeout, () -> {
            java.util.Set<String> passing = new java.util.HashSet<>();
            for (String service : List.of("facade-service", "logging-service", "messages-service")) {
                ConsulHealth.passing(agent, service).forEach(entry -> passing.add(entry.id()));
            }
            return names.stream().allMatch(name -> registration(name).map(r -> passing.contains(r.id())).orElse(false))
                    ? Boolean.TRUE : null;
        }, () -> names + " passing in Consul" + allLogTails());
    }

    /**
     * The processes, for fixtures that start their own (a Consul cluster).
     */
    Supervisor supervisor() {
        return processes;
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

    ProcessHandle process(String name) {
        return processes.process(name).orElseThrow(() -> new IllegalStateException(name + " is not running"));
    }

    /**
     * {@code kill -9} of one or more processes at once: they get no chance to deregister or say
     * goodbye. Returns when all of them are gone.
     */
    void kill(String... names) {
        processes.kill(names);
    }

    /**
     * {@code kill -STOP}: the process freezes (no heartbeat, no polls, no answers) until {@link #resume}.
     */
    void pause(String name) {
        processes.pause(name);
    }

    /**
     * {@code kill -CONT}: a paused process runs on where it stopped.
     */
    void resume(String name) {
        processes.resume(name);
    }

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
        return processes.logText(name);
    }

    /**
     * Names of the processes that are alive now.
     */
    List<String> alive() {
        return processes.names().stream().filter(processes::alive).toList();
    }

    /**
     * The last lines of a process's log, for failure messages.
     */
    String logTail(String name) {
        return processes.logTail(name, 40);
    }

    String allLogTails() {
        return processes.logTails();
    }

    @Override
    public void close() {
        processes.close();
    }

    /**
     * As a per-class extension ({@code @RegisterExtension}), the processes stop after the class's tests.
     */
    @Override
    public void afterAll(ExtensionContext context) {
        close();
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
        return LabJvm.memberJar(REPO).orElseThrow(() -> new IllegalStateException(
                "no compose/launcher/target/hazelcast/hazelcast.jar: build the launcher (mvn -B -DskipTests package)"));
    }
}
