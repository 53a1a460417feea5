package lab.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
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

import lab.launcher.LabLayout.Instance;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The lab on this machine, as {@code compose/local.sh} runs it, in one of two shapes
 * ({@link LabLayout}): a Consul dev agent with everything on 127.0.0.1, or a Consul cluster of
 * three servers and three hosts. Every process is detached, recorded in {@code compose/.run/pids}
 * and logs to {@code compose/.run/logs}; {@code compose/.run/layout} says which shape is up.
 */
final class LocalLab {

    static final String HAZELCAST_CLUSTER = "distributed-consul-cluster";

    private static final Duration CONSUL_START = Duration.ofSeconds(60);
    private static final Duration HAZELCAST_START = Duration.ofSeconds(90);
    // a training JVM writes its AOT cache as it exits (a child JVM assembles it): more than the usual grace
    private static final Duration AOT_CACHE_WRITE = Duration.ofSeconds(60);
    private static final String PROMETHEUS_ADDRESS = "127.0.0.1:9090";

    private final Path home;
    private final Path run;
    private final Supervisor processes;
    private final PrintStream out;
    private final Duration upTimeout;
    private final SecureConsul secure;
    private LabLayout layout;

    LocalLab(Path home, PrintStream out, Duration upTimeout) {
        this.home = home;
        this.run = home.resolve("compose/.run");
        this.processes = Supervisor.detached(run);
        this.out = out;
        this.upTimeout = upTimeout;
        this.secure = SecureConsul.create(home, run);
        // The shape of the lab that runs; when none runs, the one a plain `up` starts.
        this.layout = processes.names().stream().anyMatch(processes::alive) ? LabLayout.named(readLayoutName()) : LabLayout.dev();
    }

    /**
     * Consul, Hazelcast, then every instance; returns once Consul has all of them passing.
     * Whatever started is stopped again if a step fails.
     *
     * @param shape {@code dev}, {@code secure} (TLS, ACLs, a token per service) or {@code cluster}
     *              (3 Consul servers, 3 hosts)
     */
    void up(String shape) {
        long t0 = System.nanoTime();
        infra(shape);
        long t1 = System.nanoTime();
        stopOnFailure(() -> {
            trainAotCaches();
            layout.instances().forEach(this::startInstance);
            awaitPassing(layout.instances(), upTimeout);
            startPrometheus();
        });
        out.printf("all %d instances passing: consul + hazelcast took %ds, services %ds%n",
                   layout.instances().size(), seconds(t1 - t0), seconds(System.nanoTime() - t1));
        out.printf("%nConsul UI:   %s/ui/%s%n", layout.consul(), layout.isSecure()
                ? " (HTTPS with a client certificate: compose/.run/secure/tls; tokens: compose/.run/secure/tokens)" : "");
        layout.facades().forEach(facade -> out.printf("facade:      %s%n", facade.uri("/facade")));
        if (System.getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != null) {
            out.println("Jaeger UI:   http://127.0.0.1:16686");
        }
        URI facade = layout.facades().getFirst().uri("/facade");
        out.printf("logs:        %s/%n%ntry:%n  curl -d msg=hello %s%n  curl %s%n"
                           + "  compose/local.sh status%n  compose/local.sh down%n",
                   home.relativize(processes.logs()), facade, facade);
    }

    /**
     * Trains the AOT caches that are missing or older than their jars on a lab of its own (a
     * Consul dev agent and the Hazelcast members), which it stops again: the image build's step,
     * or a way to have the caches before timing a start.
     */
    void train() {
        infra("dev");
        try {
            trainAotCaches();
        } finally {
            down();
        }
    }

    /**
     * Consul and the Hazelcast members only.
     *
     * @param shape {@code dev}, {@code secure} or {@code cluster}
     */
    void infra(String shape) {
        List<String> running = processes.names().stream().filter(processes::alive).toList();
        if (!running.isEmpty()) {
            throw new LabException("already running (" + String.join(" ", running) + "); use down first");
        }
        processes.stop(processes.names()); // forgets stale pid files
        layout = LabLayout.named(shape);
        checkPortsFree();
        writeLayoutName();
        stopOnFailure(() -> {
            if (layout.isCluster()) {
                startConsulCluster();
            } else if (layout.isSecure()) {
                startSecureConsul();
            } else {
                startConsulDevAgent();
            }
            Path jar = hazelcastJar();
            for (String member : layout.members()) {
                String name = memberName(member);
                out.printf("starting hazelcast member %s, log %s%n", member, processes.log(name));
                Map<String, String> env = new LinkedHashMap<>(LabJvm.memberEnvironment(HAZELCAST_CLUSTER, member, layout.members()));
                env.put("HZ_MAP_DEFAULT_BACKUPCOUNT", "2"); // every member keeps a copy of every entry
                String host = member.substring(0, member.lastIndexOf(':'));
                processes.start(name, LabJvm.member(jar, List.of("-Dhazelcast.local.localAddress=" + host)), env);
            }
            awaitHazelcast();
            if (layout.isCluster()) {
                // the services' defaults name 127.0.0.1:5701-5703; the rest of lab_settings stays default
                ConsulDevAgent.put(layout.consul(), "/v1/kv/lab_settings",
                                   "{\"hazelcast_members\": [\"" + String.join("\", \"", layout.members()) + "\"]}", null);
            }
            if (layout.isSecure()) {
                // the services' tokens may only read lab_settings: seeding it is the operator's step
                secure.seed(defaultSettings());
                out.println("lab_settings seeded with the operator's token (compose/acl/lab-operator.hcl)");
            }
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
        stopTier("services", names, name -> !name.startsWith("hz-") && !name.startsWith("consul"));
        stopTier("hazelcast", names, name -> name.startsWith("hz-"));
        stopTier("consul", names, name -> name.startsWith("consul"));
        secure.forget(); // the dev agent forgot its tokens; certificates and keys go too
        try {
            Files.deleteIfExists(run.resolve("layout"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.println("stopped");
    }

    /**
     * Processes, then what Consul says of every instance.
     */
    void status() {
        out.printf("processes (%s, %s layout):%n", home.relativize(run.resolve("pids")), layout.name());
        List<String> names = processes.names();
        if (names.isEmpty()) {
            out.println("  (none; not started)");
        }
        names.forEach(name -> out.printf("  %-18s %s%n", name, processes.process(name)
                .map(process -> "pid " + process.pid() + " alive").orElse("DEAD")));
        out.printf("consul health (%s):%n", layout.consul());
        for (String service : LabLayout.SERVICES) {
            List<ConsulHealth.Entry> entries;
            try {
                entries = health(service + "-service", false);
            } catch (IllegalStateException e) {
                out.println("  consul is not reachable");
                return;
            }
            out.printf("  %s-service (expected %d):%n", service,
                       layout.instances().stream().filter(i -> i.service().equals(service)).count());
            if (entries.isEmpty()) {
                out.println("    (no instances registered)");
            }
            entries.stream().sorted((a, b) -> (a.address() + a.port()).compareTo(b.address() + b.port()))
                    .forEach(entry -> out.printf("    %-40s %s:%-6d %s%n", entry.id(), entry.address(), entry.port(), entry.status()));
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
            Instance instance = layout.instances().stream().filter(it -> it.name().equals(name)).findFirst()
                    .orElseThrow(() -> new LabException("no instance named '" + name + "' (names: "
                            + layout.instances().stream().map(Instance::name).collect(Collectors.joining(" ")) + ")"));
            Optional<ProcessHandle> running = processes.process(name);
            if (running.isPresent()) {
                out.printf("%s is running (pid %d); not restarting it%n", name, running.get().pid());
                continue;
            }
            checkPortFree(instance.host(), instance.port());
            startInstance(instance);
            started.add(instance);
        }
        awaitPassing(started, upTimeout);
        started.forEach(instance -> out.println(instance.name() + " is passing"));
    }

    /**
     * Starts one more instance on the first host (outside the lab's seven, e.g. for a benchmark)
     * and waits until it passes.
     *
     * @param name     process name
     * @param service  facade, logging or messages
     * @param port     its port
     * @param baseline started as before its sizing and AOT cache ({@code -Xmx256m})
     */
    void start(String name, String service, int port, boolean baseline) {
        requireConsul();
        if (!LabLayout.SERVICES.contains(service)) {
            throw new LabException("no service '" + service + "' (services: " + String.join(" ", LabLayout.SERVICES) + ")");
        }
        Instance instance = new Instance(name, service, layout.hosts().getFirst(), port);
        checkPortFree(instance.host(), port);
        startInstance(instance, instanceCommand(service, port, baseline));
        awaitPassing(List.of(instance), upTimeout);
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
        awaitPassing(layout.instances(), timeout);
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
        out.printf("LAB_LAYOUT=%s%n", layout.name());
        out.printf("LAB_CONSUL_URL=%s%n", layout.consul());
        out.printf("LAB_JAVA=%s%n", LabJvm.java());
        out.printf("LAB_LOG_DIR=%s%n", processes.logs());
        out.printf("LAB_INSTANCES=(%s)%n", layout.instances().stream().map(Instance::name).collect(Collectors.joining(" ")));
        out.printf("LAB_FACADE_PORTS=(%s)%n", layout.facades().stream()
                .map(i -> Integer.toString(i.port())).collect(Collectors.joining(" ")));
        out.printf("LAB_FACADE_URLS=(%s)%n", layout.facades().stream()
                .map(i -> i.uri("/facade").toString()).collect(Collectors.joining(" ")));
        out.printf("LAB_SERVICES=(%s)%n", String.join(" ", LabLayout.SERVICES));
    }

    /**
     * The command line of one instance, an argument per line, for a script that times its start.
     *
     * @param service  facade, logging or messages
     * @param port     port, 0 for any
     * @param baseline the JVM settings before the instances' sizing and AOT cache
     */
    void command(String service, int port, boolean baseline) {
        instanceCommand(service, port, baseline).forEach(out::println);
    }

    private List<String> instanceCommand(String service, int port, boolean baseline) {
        return baseline ? LabJvm.baseline(jar(service), port) : LabJvm.service(jar(service), port, List.of());
    }

    private void startConsulDevAgent() {
        URI consul = layout.consul();
        out.printf("starting consul on %s, log %s%n", consul, processes.log("consul"));
        ProcessHandle agent = processes.start("consul", ConsulDevAgent.command(layout.hosts().getFirst(), LabLayout.CONSUL_PORTS,
                                                                               List.of()), Map.of());
        ConsulDevAgent.awaitLeader(consul, agent, CONSUL_START, () -> processes.logTail("consul", 20));
    }

    // Debian's prometheus, when installed: it scrapes the instances Consul has passing (LabPrometheus).
    private void startPrometheus() {
        Optional<Path> binary = LabPrometheus.binary();
        if (layout.isSecure() || binary.isEmpty()) {
            out.println(layout.isSecure() ? "prometheus: not started in the secure lab (its target list asks Consul over HTTP)"
                                : "prometheus: not installed (compose/install-test-tools.sh installs Debian's), not started");
            return;
        }
        Path dir = run.resolve("prometheus");
        LabPrometheus.writeConfig(dir);
        processes.start("prometheus-targets", LabPrometheus.targetsCommand(layout.consul(), dir), Map.of());
        processes.start("prometheus", LabPrometheus.command(binary.get(), dir, PROMETHEUS_ADDRESS), Map.of());
        out.printf("prometheus on http://%s/targets, log %s%n", PROMETHEUS_ADDRESS, processes.log("prometheus"));
    }

    private void startSecureConsul() {
        out.printf("starting consul (HTTPS only, client certificates, ACLs default deny) on %s, log %s%n", layout.consul(),
                   processes.log("consul"));
        ProcessHandle agent = processes.start("consul", secure.prepareAgent(layout.hosts().getFirst(), LabLayout.CONSUL_PORTS),
                                              Map.of());
        secure.awaitLeader(agent, CONSUL_START, () -> processes.logTail("consul", 20));
        secure.createTokens().lines().forEach(line -> out.println("  " + line));
    }

    // What Consul's health endpoint says; the secure agent is asked through the CLI (it speaks the TLS).
    private List<ConsulHealth.Entry> health(String service, boolean passingOnly) {
        if (layout.isSecure()) {
            return ConsulHealth.entries(secure.health(service, passingOnly));
        }
        return passingOnly ? ConsulHealth.passing(layout.consul(), service) : ConsulHealth.all(layout.consul(), service);
    }

    private String defaultSettings() {
        try {
            return Files.readString(home.resolve("shared-config/src/main/resources/lab_settings.json"));
        } catch (IOException e) {
            throw new LabException("cannot read the default lab_settings: " + e.getMessage());
        }
    }

    private void startConsulCluster() {
        ConsulCluster cluster = consulCluster();
        cluster.forgetData(); // a new cluster: no Raft state or node ids of an earlier one
        cluster.agents().forEach(agent -> out.printf("starting consul %s %s on %s, log %s%n",
                                                     agent.server() ? "server" : "client agent of", agent.name(),
                                                     agent.host(), processes.log(agent.name())));
        cluster.start(CONSUL_START);
        out.printf("consul cluster formed: %d servers (leader %s), %d client agents%n",
                   cluster.servers().size(), cluster.leader(), cluster.clients().size());
    }

    private ConsulCluster consulCluster() {
        ConsulDevAgent.Ports ports = LabLayout.CONSUL_PORTS;
        return ConsulCluster.create(processes, run.resolve("consul-data"), layout.servers(), layout.hosts(),
                                    new ConsulDevAgent.Ports(ports.http(), ports.dns(), ports.serfLan(), ports.serfWan(),
                                                             ports.server(), -1));
    }

    // hz-5701 on one host, hz-h2 for the second host's member in a cluster
    private String memberName(String member) {
        return layout.isCluster() ? "hz-h" + (layout.members().indexOf(member) + 1)
                : "hz-" + member.substring(member.lastIndexOf(':') + 1);
    }

    /**
     * Trains the AOT cache of each service whose cache is missing or older than its build: one
     * instance of each, on the first instance's address, started with {@code -XX:AOTCacheOutput},
     * passing in Consul, {@link AotTraining} requests, then stopped, when each JVM writes its cache.
     * A training that fails costs only the cache: the instances start without one.
     */
    private void trainAotCaches() {
        if (!AotCache.supported()) {
            out.printf("no AOT cache: java %s (it needs 25+)%n", Runtime.version());
            return;
        }
        List<Instance> trainees = LabLayout.SERVICES.stream().filter(service -> !AotCache.fresh(jar(service)))
                .map(service -> layout.instances().stream().filter(it -> it.service().equals(service)).findFirst().orElseThrow())
                .map(first -> new Instance("aot-" + first.service(), first.service(), first.host(), first.port()))
                .toList();
        if (trainees.isEmpty()) {
            return;
        }
        long t0 = System.nanoTime();
        out.printf("training the AOT cache of %s (once per build)%n",
                   trainees.stream().map(Instance::service).collect(Collectors.joining(", ")));
        List<String> names = trainees.stream().map(Instance::name).toList();
        try {
            trainees.forEach(trainee -> startInstance(trainee, LabJvm.service(jar(trainee.service()), trainee.port(),
                                                                             AotCache.record(jar(trainee.service())))));
            awaitPassing(trainees, upTimeout);
            List<String> failures = AotTraining.exercise(trainees);
            if (!failures.isEmpty()) {
                out.printf("training: %d requests failed, e.g. %s%n", failures.size(), failures.getFirst());
            }
        } catch (RuntimeException | AssertionError e) {
            // a trainee that exits or never passes (Eventually's AssertionError) costs only the cache
            out.printf("training failed (%s); the instances start without an AOT cache%n",
                       String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
        } finally {
            processes.stop(names, AOT_CACHE_WRITE);
        }
        for (Instance trainee : trainees) {
            Path jar = jar(trainee.service());
            out.printf(AotCache.fresh(jar) ? "AOT cache %s written%n" : "no AOT cache written to %s (log %s)%n",
                       home.relativize(AotCache.file(jar)), processes.log(trainee.name()));
        }
        out.printf("training took %ds%n", seconds(System.nanoTime() - t0));
    }

    private void startInstance(Instance instance) {
        startInstance(instance, LabJvm.service(jar(instance.service()), instance.port(), List.of()));
    }

    private void startInstance(Instance instance, List<String> command) {
        out.printf("starting %s-service on %s:%d, log %s%n", instance.service(), instance.host(), instance.port(),
                   processes.log(instance.name()));
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CONSUL_HTTP_ADDR", instance.consul().getAuthority()); // its own host's agent
        if (layout.isCluster()) {
            env.put("SERVER_HOST", instance.host());
            env.put("CONSUL_SERVICE_ADDRESS", instance.host());
        }
        if (layout.isSecure()) {
            env.putAll(secure.environment());
            env.put("CONSUL_HTTP_TOKEN_FILE", secure.token(instance.service()).toString());
        }
        processes.start(instance.name(), command, env);
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
                health(service + "-service", true).forEach(entry -> passing.add(entry.address() + ":" + entry.port()));
            }
            String progress = instances.stream().map(Instance::service).distinct()
                    .map(service -> service + " " + instances.stream().filter(i -> i.service().equals(service) && passing.contains(i.host() + ":" + i.port())).count()
                            + "/" + instances.stream().filter(i -> i.service().equals(service)).count())
                    .collect(Collectors.joining("  "));
            if (!progress.equals(last[0])) {
                last[0] = progress;
                out.printf("waiting for consul health: %s (%ds)%n", progress, seconds(System.nanoTime() - t0));
            }
            return instances.stream().allMatch(i -> passing.contains(i.host() + ":" + i.port())) ? Boolean.TRUE : null;
        }, () -> "every instance passing in Consul; not passing:" + instances.stream()
                .map(instance -> "\n  " + instance.name() + " (" + processes.log(instance.name()) + "):\n"
                        + processes.logTail(instance.name(), 10).indent(6))
                .collect(Collectors.joining()));
    }

    private void awaitHazelcast() {
        Eventually.await(HAZELCAST_START, () -> {
            long ready = 0;
            for (String member : layout.members()) {
                String name = memberName(member);
                if (!processes.alive(name)) {
                    throw new Eventually.GiveUp("hazelcast member " + name + " exited during start:\n" + processes.logTail(name, 30));
                }
                if (processes.logText(name).contains("Members {size:" + layout.members().size() + ",")) {
                    ready++;
                }
            }
            return ready == layout.members().size() ? Boolean.TRUE : null;
        }, () -> "a hazelcast cluster of " + layout.members().size() + " members (logs " + processes.logs() + "/hz-*.log)");
        out.printf("hazelcast cluster of %d members is up%n", layout.members().size());
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
        if (processes.names().stream().noneMatch(name -> name.startsWith("consul") && processes.alive(name))) {
            throw new LabException("the lab is not running (no live consul started by 'up'); start it: compose/local.sh up");
        }
    }

    private void checkPortsFree() {
        Stream<String> consul = Stream.concat(layout.servers().stream(), layout.hosts().stream()).distinct()
                .flatMap(host -> Stream.concat(LabLayout.CONSUL_PORTS.all().stream(),
                                               layout.isSecure() ? Stream.of(SecureConsul.HTTPS_PORT) : Stream.empty())
                        .map(port -> host + ":" + port));
        Stream<String> others = Stream.concat(layout.members().stream(),
                                              layout.instances().stream().map(i -> i.host() + ":" + i.port()));
        List<String> taken = Stream.concat(consul, others)
                .filter(address -> !free(address.substring(0, address.lastIndexOf(':')),
                                         Integer.parseInt(address.substring(address.lastIndexOf(':') + 1))))
                .toList();
        if (!taken.isEmpty()) {
            throw new LabException("ports needed by the lab are taken: " + String.join(" ", taken)
                                           + " (`ss -ltnup` shows by whom); stop those processes or run 'compose/local.sh down'");
        }
    }

    private void checkPortFree(String host, int port) {
        if (port != 0 && !free(host, port)) {
            throw new LabException("port " + port + " is taken (`ss -ltnp 'sport = :" + port + "'` shows by whom)");
        }
    }

    // Free for TCP and UDP (Consul's DNS) on that address.
    private static boolean free(String host, int port) {
        InetSocketAddress address = new InetSocketAddress(host, port);
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
        return LabJvm.memberJar(home).orElseThrow(
                () -> new LabException("no compose/launcher/target/hazelcast/hazelcast.jar (build the project, or set HAZELCAST_JAR)"));
    }

    private String readLayoutName() {
        try {
            return Files.readString(run.resolve("layout")).strip();
        } catch (IOException e) {
            return "dev";
        }
    }

    private void writeLayoutName() {
        try {
            Files.createDirectories(run);
            Files.writeString(run.resolve("layout"), layout.name() + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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
