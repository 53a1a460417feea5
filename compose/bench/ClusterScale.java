import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

import lab.consul.ConsulEndpoint;
import lab.consul.ReadMode;
import lab.consul.discovery.HealthyInstances;
import lab.consul.discovery.Subset;
import lab.launcher.ConsulCluster;
import lab.launcher.ConsulDevAgent;
import lab.launcher.Supervisor;

/**
 * R7c/R7d of compose/bench.sh: N instances on a real Consul cluster (3 servers, 3 client agents on
 * their own loopback addresses), W watchers of the service ({@link HealthyInstances}), first with
 * the lab's former reads (consistent through the leader, 10 s waits, no pause, the whole service),
 * then the same with waits that do not end while measured ({@code former_quiet}: what a change alone
 * costs them), then with {@link ReadMode#DEFAULT} and a tag that one instance in twenty carries (a shard).
 * <p>
 * {@code java -cp compose/launcher/target/classes:shared-config/target/classes:logging/target/libs/*
 * compose/bench/ClusterScale.java COUNT WATCHERS CHANGES [new|stale]}: registers COUNT instances with TTL
 * checks over the three client agents and keeps them alive; per read mode measures Consul's CPU
 * and bytes written (all 6 agents, from /proc) at rest and per health change, and the time from a
 * change to the last watcher's cache ({@code new}: the lab's reads only; {@code stale}: them, but
 * stale instead of through the agent cache). Prints one line of
 * key=value pairs.
 */
public final class ClusterScale {

    private static final List<String> SERVERS = List.of("127.0.3.11", "127.0.3.12", "127.0.3.13");
    private static final List<String> HOSTS = List.of("127.0.3.21", "127.0.3.22", "127.0.3.23");
    private static final String SERVICE = "scale-service";
    // 20 shards: at 10,000 instances a watcher's answer holds 500 (at 10 shards, 1,000 took 1.0-1.8 s to reach 10 watchers)
    private static final int SHARDS = 20;
    // long enough that registering 10,000 (≈ 100 s here) and a saturated machine do not expire checks
    private static final Duration TTL = Duration.ofMinutes(5);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final long CLK_TCK = 100;
    // instances whose health a measurement is changing: the keep-alive leaves them alone
    private static final java.util.Set<String> HELD = java.util.concurrent.ConcurrentHashMap.newKeySet();
    // off while a read mode is measured (the TTL outlasts it): its traffic would drown what a change costs
    private static final AtomicBoolean KEEPING_ALIVE = new AtomicBoolean(true);

    public static void main(String[] args) throws Exception {
        int count = Integer.parseInt(args[0]);
        int watchers = Integer.parseInt(args[1]);
        int changes = Integer.parseInt(args[2]);
        // new: the lab's reads only; stale: them with consistency=stale instead of the agent cache
        String only = args.length > 3 ? args[3] : "";
        boolean formerToo = only.isEmpty();
        ReadMode lab = only.equals("stale")
                ? new ReadMode(ReadMode.Consistency.STALE, ReadMode.DEFAULT.maxStale(), ReadMode.DEFAULT.waitTime(),
                               ReadMode.DEFAULT.minInterval())
                : ReadMode.DEFAULT;
        Path root = Files.createTempDirectory("cluster-scale");
        try (Supervisor processes = Supervisor.owning(root.resolve("logs"))) {
            ConsulCluster cluster = ConsulCluster.create(processes, root.resolve("data"), SERVERS, HOSTS,
                                                         new ConsulDevAgent.Ports(8500, 8600, 8301, 8302, 8300, -1));
            cluster.start(Duration.ofSeconds(60));
            List<URI> agents = cluster.clients().stream().map(agent -> cluster.http(agent.name())).toList();
            List<ProcessHandle> consul = cluster.agents().stream()
                    .map(agent -> processes.process(agent.name()).orElseThrow()).toList();
            List<ProcessHandle> servers = cluster.servers().stream()
                    .map(agent -> processes.process(agent.name()).orElseThrow()).toList();

            long t0 = System.nanoTime();
            register(agents, count);
            double registerSeconds = (System.nanoTime() - t0) / 1e9;
            AtomicBoolean alive = new AtomicBoolean(true);
            Thread keepAlive = Thread.ofVirtual().start(() -> keepAlive(agents, count, alive));

            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "instances=%d watchers=%d register_s=%.1f ttl_s=%d",
                                                                 count, watchers, registerSeconds, TTL.toSeconds()));
            ReadMode former = new ReadMode(ReadMode.Consistency.DEFAULT, Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ZERO);
            ReadMode quiet = new ReadMode(ReadMode.Consistency.DEFAULT, Duration.ofSeconds(5), Duration.ofMinutes(9), Duration.ZERO);
            try {
                if (formerToo) {
                    line.append(measure("former", former, Subset.ALL, agents, consul, servers, count, watchers, changes));
                    // the closed watchers' last questions are still held by the servers: let them answer and
                    // end before the next mode's rest is measured, or their answers count as its traffic
                    Thread.sleep(former.longestAnswer().plusSeconds(3).toMillis());
                    // What a change costs the former reads, alone: their 10 s waits keep the servers busy at rest
                    // (11-15 MB/s here), a change then takes 7-25 s to reach every watcher, and what it adds drowns
                    // in that rest. A change wakes every waiting question however long its wait, so with waits
                    // that do not end during the measurement the same reads cost only their changes.
                    line.append(measure("former_quiet", quiet, Subset.ALL, agents, consul, servers, count, watchers, changes));
                    // its closed watchers' questions wait for the next change: make one, and let them answer
                    line.append(String.format(Locale.ROOT, " drain_s=%.1f", drain(agents, consul, servers)));
                }
            } catch (IllegalStateException e) {
                // the former reads may not hold at all at this size: say so, and measure the new ones
                line.append(" former_failed=\"").append(e.getMessage()).append('"');
            }
            line.append(measure("new", lab, Subset.tagged("shard-3"), agents, consul, servers, count, watchers, changes));
            alive.set(false);
            keepAlive.join();
            System.out.println(line);
        }
    }

    // One read mode: W watchers spread over the agents; rest, then CHANGES fail/pass of shard-3 instances.
    private static String measure(String label, ReadMode reads, Subset subset, List<URI> agents,
                                  List<ProcessHandle> consul, List<ProcessHandle> servers, int count, int watchers,
                                  int changes) throws Exception {
        List<HealthyInstances> caches = new ArrayList<>();
        int expected = subset.equals(Subset.ALL) ? count : count / SHARDS;
        try {
            for (int w = 0; w < watchers; w++) {
                URI agent = agents.get(w % agents.size());
                caches.add(HealthyInstances.create(ConsulEndpoint.create(agent.toString(), Optional.empty()), SERVICE, reads, subset));
            }
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            while (caches.stream().anyMatch(cache -> cache.all().size() != expected)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(label + ": watchers did not see " + expected + " instances (they hold "
                            + caches.stream().map(cache -> Integer.toString(cache.all().size())).collect(Collectors.joining(","))
                            + ")");
                }
                Thread.sleep(100);
            }
            KEEPING_ALIVE.set(false);
            Thread.sleep(2_000);
            // at rest: 25 s, so that 10 s waits time out twice
            Usage before = Usage.of(consul, servers);
            Thread.sleep(25_000);
            Usage rest = Usage.of(consul, servers).minus(before);
            double restSeconds = 25;

            List<Double> times = new ArrayList<>();
            List<Double> warmUp = new ArrayList<>();
            long changeBytes = 0;
            double changeCpu = 0;
            // change 0 warms this JVM's watchers up (their JIT had parsed one answer each): timed, printed, not counted
            for (int c = -1; c < changes; c++) {
                String id = SERVICE + "-" + (3 + SHARDS * (c + 2)); // in shard-3
                HELD.add(id);
                for (String verb : List.of("fail", "pass")) {
                    Usage start = Usage.of(consul, servers);
                    long t0 = System.nanoTime();
                    put(agentOf(agents, 3 + SHARDS * (c + 2)), "/v1/agent/check/" + verb + "/service:" + id);
                    boolean present = verb.equals("pass");
                    while (caches.stream().anyMatch(cache -> cache.all().stream().anyMatch(instance -> instance.id().equals(id)) != present)) {
                        if (System.nanoTime() - t0 > 60_000_000_000L) {
                            throw new IllegalStateException(label + ": " + verb + " of " + id + " not in every cache in 60 s");
                        }
                        LockSupport.parkNanos(200_000);
                    }
                    (c < 0 ? warmUp : times).add((System.nanoTime() - t0) / 1e6);
                    Thread.sleep(500);
                    double window = (System.nanoTime() - t0) / 1e9;
                    Usage used = Usage.of(consul, servers).minus(start);
                    if (c < 0) {
                        Thread.sleep(1_000);
                        continue;
                    }
                    // what the change cost beyond what the same time at rest costs
                    changeBytes += Math.max(0, used.bytes() - (long) (rest.bytes() * window / restSeconds));
                    changeCpu += Math.max(0, used.cpuSeconds() - rest.cpuSeconds() * window / restSeconds);
                    Thread.sleep(1_000);
                }
                HELD.remove(id);
            }
            KEEPING_ALIVE.set(true);
            int n = 2 * changes;
            return String.format(Locale.ROOT, " %1$s_rest_bytes_per_s=%2$.0f %1$s_rest_cpu_pct=%3$.1f %1$s_servers_rest_cpu_pct=%4$.1f"
                                         + " %1$s_bytes_per_change=%5$d %1$s_cpu_ms_per_change=%6$.0f %1$s_change_max_ms=%7$.0f"
                                         + " %1$s_change_ms=%8$s %1$s_answer_instances=%9$d %1$s_warmup_change_ms=%10$s",
                                 label, rest.bytes() / restSeconds, 100 * rest.cpuSeconds() / restSeconds,
                                 100 * rest.serverCpuSeconds() / restSeconds, changeBytes / n, 1000 * changeCpu / n,
                                 Collections.max(times), times.stream().map(t -> Long.toString(Math.round(t))).collect(Collectors.joining(",")), expected,
                                 warmUp.stream().map(t -> Long.toString(Math.round(t))).collect(Collectors.joining(",")));
        } finally {
            caches.forEach(HealthyInstances::close);
        }
    }

    // One health change outside the measured shard, for questions that wait for the next change; then
    // until Consul has answered them all: its 6 agents under a third of a core and writing under 1 MB/s
    // for 6 s in a row (10 whole answers of 5,000 take 10-25 s on this machine). CPU alone was not
    // enough: in bench run 22 the lab's reads then measured 5.6 MB/s at rest and their first two
    // changes took 5 s, against 0.02 MB/s and 0.2 s when ClusterScale ran alone right after.
    // Returns the seconds it took.
    private static double drain(List<URI> agents, List<ProcessHandle> consul, List<ProcessHandle> servers)
            throws InterruptedException, IOException {
        long start = System.nanoTime();
        String id = SERVICE + "-1";
        HELD.add(id);
        put(agentOf(agents, 1), "/v1/agent/check/fail/service:" + id);
        Thread.sleep(1_000);
        put(agentOf(agents, 1), "/v1/agent/check/pass/service:" + id);
        HELD.remove(id);
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        int quiet = 0;
        while (quiet < 3 && System.nanoTime() < deadline) {
            Usage before = Usage.of(consul, servers);
            Thread.sleep(2_000);
            Usage used = Usage.of(consul, servers).minus(before);
            quiet = used.cpuSeconds() < 0.6 && used.bytes() < 2_000_000 ? quiet + 1 : 0;
        }
        return (System.nanoTime() - start) / 1e9;
    }

    private static void register(List<URI> agents, int count) throws InterruptedException {
        Semaphore inFlight = new Semaphore(16);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < count; i++) {
                int n = i;
                inFlight.acquire();
                pool.submit(() -> {
                    try {
                        String body = """
                                {"ID": "%1$s-%2$d", "Name": "%1$s", "Address": "10.0.%3$d.%4$d", "Port": 8080,
                                 "Tags": ["lab", "shard-%5$d"], "Meta": {"version": "scale"},
                                 "Check": {"CheckID": "service:%1$s-%2$d", "TTL": "%6$ds", "Status": "passing",
                                           "DeregisterCriticalServiceAfter": "10m"}}
                                """.formatted(SERVICE, n, n / 250, n % 250, n % SHARDS, TTL.toSeconds());
                        send(HttpRequest.newBuilder(agentOf(agents, n).resolve("/v1/agent/service/register"))
                                     .PUT(HttpRequest.BodyPublishers.ofString(body)));
                    } finally {
                        inFlight.release();
                    }
                    return null;
                });
            }
        }
    }

    // Every instance's TTL passed again once per TTL/3, as the lab's heartbeats do.
    private static void keepAlive(List<URI> agents, int count, AtomicBoolean alive) {
        long period = TTL.dividedBy(3).toNanos();
        while (alive.get()) {
            long round = System.nanoTime();
            for (int i = 0; i < count && alive.get(); i++) {
                while (!KEEPING_ALIVE.get() && alive.get()) {
                    LockSupport.parkNanos(100_000_000);
                }
                if (HELD.contains(SERVICE + "-" + i)) {
                    continue;
                }
                try {
                    put(agentOf(agents, i), "/v1/agent/check/pass/service:" + SERVICE + "-" + i);
                } catch (RuntimeException e) {
                    // the next round tries again
                }
                LockSupport.parkNanos(Math.max(0, period / count / 2));
            }
            LockSupport.parkNanos(Math.max(0, period - (System.nanoTime() - round)));
        }
    }

    private static URI agentOf(List<URI> agents, int instance) {
        return agents.get(instance % agents.size());
    }

    private static void put(URI agent, String path) {
        send(HttpRequest.newBuilder(agent.resolve(path)).PUT(HttpRequest.BodyPublishers.noBody()));
    }

    private static void send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = HTTP.send(request.timeout(Duration.ofSeconds(30)).build(),
                                                      HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(response.statusCode() + " " + response.body());
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // Bytes Consul's processes wrote (network and files, /proc/<pid>/io wchar) and CPU they used.
    private record Usage(long bytes, double cpuSeconds, double serverCpuSeconds) {

        static Usage of(List<ProcessHandle> consul, List<ProcessHandle> servers) throws IOException {
            long bytes = 0;
            double cpu = 0;
            double serverCpu = 0;
            for (ProcessHandle process : consul) {
                for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/io"))) {
                    if (line.startsWith("wchar:")) {
                        bytes += Long.parseLong(line.substring(6).trim());
                    }
                }
                double seconds = cpuSeconds(process);
                cpu += seconds;
                if (servers.contains(process)) {
                    serverCpu += seconds;
                }
            }
            return new Usage(bytes, cpu, serverCpu);
        }

        Usage minus(Usage other) {
            return new Usage(bytes - other.bytes, cpuSeconds - other.cpuSeconds, serverCpuSeconds - other.serverCpuSeconds);
        }

        private static double cpuSeconds(ProcessHandle process) throws IOException {
            String stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / (double) CLK_TCK;
        }
    }
}
