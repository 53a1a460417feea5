package lab.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.HashSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The lab on this machine, as {@code compose/local.sh} runs it: one Consul dev agent on its
 * default ports, three Hazelcast members on 5701-5703 and seven instances on fixed ports, each a
 * detached process recorded in {@code compose/.run/pids}, logging to {@code compose/.run/logs}.
 */
final class LocalLab {

    static final String HOST = "127.0.0.1";
    static final URI CONSUL = URI.create("http://" + HOST + ":" + ConsulDevAgent.Ports.defaults().http());
    static final List<String> SERVICES = List.of("facade", "logging", "messages");
    static final List<Instance> INSTANCES = List.of(
            Instance.of("facade", 8080), Instance.of("facade", 8088),
            Instance.of("logging", 8081), Instance.of("logging", 8083), Instance.of("logging", 8085),
            Instance.of("messages", 8082), Instance.of("messages", 8084));
    static final String HAZELCAST_CLUSTER = "distributed-consul-cluster";
    static final List<String> MEMBERS = List.of(HOST + ":5701", HOST + ":5702", HOST + ":5703");

    private static final Duration CONSUL_START = Duration.ofSeconds(30);
    private static final Duration HAZELCAST_START = Duration.ofSeconds(90);

    private final Path home;
    private final Supervisor processes;
    private final PrintStream out;
    private final Duration upTimeout;

    LocalLab(Path home, PrintStream out, Duration upTimeout) {
        this.home = home;
        this.processes = Supervisor.detached(home.resolve("compose/.run"));
        this.out = out;
        this.upTimeout = upTimeout;
    }

    /**
     * One service instance.
     *
     * @param name    process name, e.g. {@code logging-8081}
     * @param service facade, logging or messages
     * @param port    its fixed port
     */
    record Instance(String name, String service, int port) {

        static Instance of(String service, int port) {
            return new Instance(service + "-" + port, service, port);
        }

        String key() {
            return service + ":" + port;
        }
    }

    /**
     * Consul, Hazelcast, then every instance; returns once Consul has all of them passing.
     * Whatever started is stopped again if a step fails.
     */
    void up() {
        long t0 = System.nanoTime();
        infra();
        long t1 = System.nanoTime();
        stopOnFailure(() -> {
            INSTANCES.forEach(instance -> startInstance(instance.name(), instance.service(), instance.port()));
            awaitPassing(INSTANCES, upTimeout);
        });
        out.printf("all %d instances passing: consul + hazelcast took %ds, services %ds%n",
                   INSTANCES.size(), seconds(t1 - t0), seconds(System.nanoTime() - t1));
        out.printf("%nConsul UI:   %s/ui/%n", CONSUL);
        INSTANCES.stream().filter(instance -> instance.service().equals("facade"))
                .forEach(facade -> out.printf("facade:      http://%s:%d/facade%n", HOST, facade.port()));
        if (System.getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != null) {
            out.println("Jaeger UI:   http://127.0.0.1:16686");
        }
        out.printf("logs:        %s/%n%ntry:%n  curl -d msg=hello http://%s:%d/facade%n  curl http://%2$s:%3$d/facade%n"
                           + "  compose/local.sh status%n  compose/local.sh down%n",
                   home.relativize(processes.logs()), HOST, INSTANCES.getFirst().port());
    }

    /**
     * Consul and the Hazelcast members only.
     */
    void infra() {
        List<String> running = processes.names().stream().filter(processes::alive).toList();
        if (!running.isEmpty()) {
            throw new LabException("already running (" + String.join(" ", running) + "); use down first");
        }
        processes.stop(processes.names()); // forgets stale pid files
        checkPortsFree();
        stopOnFailure(() -> {
            out.printf("starting consul on %s, log %s%n", CONSUL, processes.log("consul"));
            ProcessHandle consul = processes.start("consul", ConsulDevAgent.command(HOST, ConsulDevAgent.Ports.defaults(),
                                                                                    List.of()), Map.of());
            ConsulDevAgent.awaitLeader(CONSUL, consul, CONSUL_START, () -> processes.logTail("consul", 20));
            Path jar = hazelcastJar();
            for (String member : MEMBERS) {
                String name = "hz-" + member.substring(member.lastIndexOf(':') + 1);
                out.printf("starting hazelcast member %s, log %s%n", member, processes.log(name));
                Map<String, String> env = new LinkedHashMap<>(LabJvm.memberEnvironment(HAZELCAST_CLUSTER, member, MEMBERS));
                env.put("HZ_MAP_DEFAULT_BACKUPCOUNT", "2"); // every member keeps a copy of every entry
                processes.start(name, LabJvm.member(jar, List.of()), env);
            }
            awaitHazelcast();
        });
    }

    /**
     * Services first (they deregister), then Hazelcast, Consul last.
     */
    void down() {
        List<String> names = processes.names();
        if (names.isEmpty()) {
            out.println("nothing to stop");
            return;
        }
        stopTier("services", names, name -> !name.startsWith("hz-") && !name.equals("consul"));
        stopTier("hazelcast", names, name -> name.startsWith("hz-"));
        stopTier("consul", names, name -> name.equals("consul"));
        out.println("stopped");
    }

    /**
     * Processes, then what Consul says of every instance.
     */
    void status() {
        out.printf("processes (%s):%n", home.relativize(processes.logs().resolveSibling("pids")));
        List<String> names = processes.names();
        if (names.isEmpty()) {
            out.println("  (none; not started)");
        }
        names.forEach(name -> out.printf("  %-14s %s%n", name, processes.process(name)
                .map(process -> "pid " + process.pid() + " alive").orElse("DEAD")));
        out.printf("consul health (%s):%n", CONSUL);
        for (String service : SERVICES) {
            List<ConsulHealth.Entry> entries;
            try {
                entries = ConsulHealth.all(CONSUL, service + "-service");
            } catch (IllegalStateException e) {
                out.println("  consul is not reachable");
                return;
            }
            out.printf("  %s-service (expected %d):%n", service, INSTANCES.stream().filter(i -> i.service().equals(service)).count());
            if (entries.isEmpty()) {
                out.println("    (no instances registered)");
            }
            entries.stream().sorted((a, b) -> Integer.compare(a.port(), b.port()))
                    .forEach(entry -> out.printf("    %-40s port %-6d %s%n", entry.id(), entry.port(), entry.status()));
        }
    }

    /**
     * Starts instances of the lab that are not running (killed, or stopped) and waits until they pass.
     *
     * @param names e.g. {@code logging-8085}
     */
    void restart(List<String> names) {
        requireConsul();
        List<Instance> started = new ArrayList<>();
        for (String name : names) {
            Instance instance = INSTANCES.stream().filter(it -> it.name().equals(name)).findFirst()
                    .orElseThrow(() -> new LabException("no instance named '" + name + "' (names: "
                            + INSTANCES.stream().map(Instance::name).collect(Collectors.joining(" ")) + ")"));
            Optional<ProcessHandle> running = processes.process(name);
            if (running.isPresent()) {
                out.printf("%s is running (pid %d); not restarting it%n", name, running.get().pid());
                continue;
            }
            checkPortFree(instance.port());
            startInstance(name, instance.service(), instance.port());
            started.add(instance);
        }
        awaitPassing(started, upTimeout);
        started.forEach(instance -> out.println(instance.name() + " is passing"));
    }

    /**
     * Starts one more instance (outside the lab's seven, e.g. for a benchmark) and waits until it passes.
     *
     * @param name    process name
     * @param service facade, logging or messages
     * @param port    its port
     */
    void start(String name, String service, int port) {
        requireConsul();
        if (!SERVICES.contains(service)) {
            throw new LabException("no service '" + service + "' (services: " + String.join(" ", SERVICES) + ")");
        }
        checkPortFree(port);
        startInstance(name, service, port);
        awaitPassing(List.of(new Instance(name, service, port)), upTimeout);
        out.println(name + " is passing");
    }

    /**
     * Stops processes by name (SIGTERM, SIGKILL after 10 s).
     *
     * @param names process names
     */
    void stop(List<String> names) {
        List<String> stopped = processes.stop(names);
        out.println(stopped.isEmpty() ? "nothing to stop" : "stopped " + String.join(" ", stopped));
    }

    /**
     * Waits until the lab's instances pass, e.g. after Consul stood still and their checks expired.
     *
     * @param timeout how long to wait
     */
    void await(Duration timeout) {
        awaitPassing(INSTANCES, timeout);
    }

    /**
     * {@code name pid} of every running process, a line each, for scripts.
     */
    void pids() {
        processes.names().forEach(name -> processes.process(name).ifPresent(process -> out.println(name + " " + process.pid())));
    }

    /**
     * The layout as bash assignments, for {@code eval} in scripts: they read it here instead of
     * keeping a copy.
     */
    void env() {
        out.printf("LAB_CONSUL_URL=%s%n", CONSUL);
        out.printf("LAB_JAVA=%s%n", LabJvm.java());
        out.printf("LAB_LOG_DIR=%s%n", processes.logs());
        out.printf("LAB_INSTANCES=(%s)%n", INSTANCES.stream().map(Instance::name).collect(Collectors.joining(" ")));
        out.printf("LAB_FACADE_PORTS=(%s)%n", INSTANCES.stream().filter(i -> i.service().equals("facade"))
                .map(i -> Integer.toString(i.port())).collect(Collectors.joining(" ")));
        out.printf("LAB_SERVICES=(%s)%n", String.join(" ", SERVICES));
    }

    /**
     * The command line of one instance, an argument per line, for a script that times its start.
     *
     * @param service facade, logging or messages
     * @param port    port, 0 for any
     */
    void command(String service, int port) {
        LabJvm.service(jar(service), port, List.of()).forEach(out::println);
    }

    private void startInstance(String name, String service, int port) {
        out.printf("starting %s-service on :%d, log %s%n", service, port, processes.log(name));
        processes.start(name, LabJvm.service(jar(service), port, List.of()),
                        Map.of("CONSUL_HTTP_ADDR", CONSUL.getAuthority()));
    }

    private void awaitPassing(List<Instance> instances, Duration timeout) {
        long t0 = System.nanoTime();
        String[] last = {""};
        Eventually.await(timeout, () -> {
            for (Instance instance : instances) {
                if (!processes.alive(instance.name())) {
                    throw new Eventually.GiveUp(instance.name() + " exited during start (log " + processes.log(instance.name())
                                                   + "):\n" + processes.logTail(instance.name(), 30));
                }
            }
            Set<String> passing = new HashSet<>();
            for (String service : instances.stream().map(Instance::service).distinct().toList()) {
                ConsulHealth.passing(CONSUL, service + "-service")
                        .forEach(entry -> passing.add(service + ":" + entry.port()));
            }
            String progress = instances.stream().map(Instance::service).distinct()
                    .map(service -> service + " " + instances.stream().filter(i -> i.service().equals(service) && passing.contains(i.key())).count()
                            + "/" + instances.stream().filter(i -> i.service().equals(service)).count())
                    .collect(Collectors.joining("  "));
            if (!progress.equals(last[0])) {
                last[0] = progress;
                out.printf("waiting for consul health: %s (%ds)%n", progress, seconds(System.nanoTime() - t0));
            }
            return instances.stream().allMatch(i -> passing.contains(i.key())) ? Boolean.TRUE : null;
        }, () -> "every instance passing in Consul; not passing:" + instances.stream()
                .map(instance -> "\n  " + instance.name() + " (" + processes.log(instance.name()) + "):\n"
                        + processes.logTail(instance.name(), 10).indent(6))
                .collect(Collectors.joining()));
    }

    private void awaitHazelcast() {
        Eventually.await(HAZELCAST_START, () -> {
            long ready = 0;
            for (String member : MEMBERS) {
                String name = "hz-" + member.substring(member.lastIndexOf(':') + 1);
                if (!processes.alive(name)) {
                    throw new Eventually.GiveUp("hazelcast member " + name + " exited during start:\n" + processes.logTail(name, 30));
                }
                if (processes.logText(name).contains("Members {size:" + MEMBERS.size() + ",")) {
                    ready++;
                }
            }
            return ready == MEMBERS.size() ? Boolean.TRUE : null;
        }, () -> "a hazelcast cluster of " + MEMBERS.size() + " members (logs " + processes.logs() + "/hz-*.log)");
        out.printf("hazelcast cluster of %d members is up%n", MEMBERS.size());
    }

    private void stopTier(String label, List<String> names, Predicate<String> inTier) {
        List<String> tier = names.stream().filter(inTier).toList();
        List<String> running = tier.stream().filter(processes::alive).toList();
        if (!running.isEmpty()) {
            out.printf("stopping %s: %s%n", label, String.join(" ", running));
        }
        processes.stop(tier);
    }

    private void stopOnFailure(Runnable step) {
        // Ctrl-C while starting: the processes have their own session, so they would stay behind.
        Thread cleanup = new Thread(this::stopAfterFailure);
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            step.run();
        } catch (RuntimeException | AssertionError e) {
            stopAfterFailure();
            throw e;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException e) {
                // shutting down already: the hook runs
            }
        }
    }

    private void stopAfterFailure() {
        System.err.println("local.sh: start failed or was interrupted; stopping what was started");
        down();
    }

    private void requireConsul() {
        if (!processes.alive("consul")) {
            throw new LabException("the lab is not running (no live consul started by 'up'); start it: compose/local.sh up");
        }
    }

    private void checkPortsFree() {
        List<String> taken = Stream.concat(ConsulDevAgent.Ports.defaults().all().stream(),
                                           Stream.concat(MEMBERS.stream().map(m -> Integer.parseInt(m.substring(m.lastIndexOf(':') + 1))),
                                                         INSTANCES.stream().map(Instance::port)))
                .filter(port -> !free(port))
                .map(String::valueOf)
                .toList();
        if (!taken.isEmpty()) {
            throw new LabException("ports needed by the lab are taken: " + String.join(" ", taken)
                                           + " (`ss -ltnup` shows by whom); stop those processes or run 'compose/local.sh down'");
        }
    }

    private void checkPortFree(int port) {
        if (port != 0 && !free(port)) {
            throw new LabException("port " + port + " is taken (`ss -ltnp 'sport = :" + port + "'` shows by whom)");
        }
    }

    // Free for TCP and UDP (Consul's DNS) on the lab's address.
    private static boolean free(int port) {
        InetSocketAddress address = new InetSocketAddress(HOST, port);
        try (ServerSocket tcp = new ServerSocket(); DatagramSocket udp = new DatagramSocket(null)) {
            tcp.bind(address);
            udp.bind(address);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private Path jar(String service) {
        Path jar = home.resolve(service + "/target/" + service + ".jar");
        if (!Files.exists(jar)) {
            throw new LabException(home.relativize(jar) + " is missing: build the project (mvn -B -DskipTests package)");
        }
        return jar;
    }

    private Path hazelcastJar() {
        String configured = System.getenv("HAZELCAST_JAR");
        if (configured != null && !configured.isBlank()) {
            Path jar = Path.of(configured);
            if (!Files.exists(jar)) {
                throw new LabException("HAZELCAST_JAR=" + configured + " does not exist");
            }
            return jar;
        }
        try (Stream<Path> libs = Files.list(home.resolve("logging/target/libs"))) {
            return libs.filter(jar -> jar.getFileName().toString().matches("hazelcast-\\d.*\\.jar")).findFirst()
                    .orElseThrow(() -> new LabException("no logging/target/libs/hazelcast-*.jar (build the project, or set HAZELCAST_JAR)"));
        } catch (IOException e) {
            throw new LabException("no logging/target/libs (build the project, or set HAZELCAST_JAR)");
        }
    }

    private static long seconds(long nanos) {
        return Duration.ofNanos(nanos).toSeconds();
    }

    static final class LabException extends RuntimeException {
        LabException(String message) {
            super(message);
        }
    }
}
