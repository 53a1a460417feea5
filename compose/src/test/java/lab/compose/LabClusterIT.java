package lab.compose;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import lab.launcher.ConsulCluster;
import lab.launcher.ConsulDevAgent;
import lab.launcher.ConsulHealth;
import lab.launcher.Eventually;
import lab.testing.FreePorts;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import static lab.compose.LabHttp.get;
import static lab.compose.LabHttp.read;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.not;

/**
 * The lab on a real Consul cluster: 3 servers (Raft) and 3 "hosts", each host an address of its
 * own with its client agent, a Hazelcast member and its instances, which bind to the host's address
 * and talk to that host's agent only. Clients load both facades through every drill:
 * <ol>
 *     <li>kill -9 of the Raft leader: a new one is elected, no request fails, and a lab_settings
 *     change made after the election reaches all 7 instances;</li>
 *     <li>kill -9 of a host's client agent: its instances leave ?passing (serf failure detection)
 *     while no request fails; the agent started again brings them back, passing, without restarting
 *     them;</li>
 *     <li>2 of 3 servers gone (no quorum): requests go on with the last known instances, the
 *     instances retry without flooding their logs; with the servers back, everything is back
 *     without a restart.</li>
 * </ol>
 * Measured times (election, detection, recovery) go to the test report. The cluster has a
 * loopback /24 of its own (127.0.1.x), so that {@code compose/local.sh up --cluster} (127.0.0.x)
 * may run beside it. Process logs: {@code compose/target/lab-logs/cluster/}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LabClusterIT {

    private static final List<String> SERVERS = List.of("127.0.1.11", "127.0.1.12", "127.0.1.13");
    private static final List<String> HOSTS = List.of("127.0.1.21", "127.0.1.22", "127.0.1.23");
    private static final Duration SLOW = Duration.ofSeconds(60);
    // What "not flooding" means: a retrying instance logs about one line per back-off ceiling (5 s).
    private static final int MOST_LOG_LINES_PER_OUTAGE = 40;

    @RegisterExtension
    static final LabProcesses lab = new LabProcesses("cluster");

    private static ConsulCluster consul;
    private static String cluster;
    private static List<String> members;
    // process name -> its host's index (0-2)
    private static final Map<String, Integer> INSTANCES = new LinkedHashMap<>();

    @BeforeAll
    static void startTheLab() {
        ConsulDevAgent.Ports ports = new ConsulDevAgent.Ports(FreePorts.next(), FreePorts.next(), FreePorts.next(),
                                                              FreePorts.next(), FreePorts.next(), -1);
        consul = ConsulCluster.create(lab.supervisor(), LabProcesses.REPO.resolve("compose/target/lab-logs/cluster/consul-data"),
                                      SERVERS, HOSTS, ports);
        consul.forgetData();
        consul.start(SLOW);
        cluster = "cluster-" + ports.http();
        members = lab.startHazelcastOn(cluster, HOSTS, Map.of("HZ_MAP_DEFAULT_BACKUPCOUNT", "2",
                                                              "HZ_QUEUE_DEFAULT_BACKUPCOUNT", "2"));
        ConsulDevAgent.put(agent(0), "/v1/kv/lab_settings", LabProcesses.settings(cluster, members, "cluster-queue", "cluster-map"), null);
        List.of("facade-h1", "logging-h1", "messages-h1", "facade-h2", "logging-h2", "messages-h2", "logging-h3")
                .forEach(name -> INSTANCES.put(name, name.charAt(name.length() - 1) - '1'));
        INSTANCES.forEach((name, host) -> lab.startService(name.substring(0, name.indexOf('-')), name,
                                                           agent(host).getAuthority(),
                                                           Map.of("SERVER_HOST", HOSTS.get(host),
                                                                  "CONSUL_SERVICE_ADDRESS", HOSTS.get(host))));
        lab.awaitPassing(agent(0), Duration.ofSeconds(180), List.copyOf(INSTANCES.keySet()));
    }

    @Test
    @Order(1)
    void everyInstanceIsOnItsHostAndTalksToItsHostsAgent() {
        INSTANCES.forEach((name, host) -> {
            LabProcesses.Registration registration = lab.awaitRegistration(name);
            assertThat(name, registration.uri().getHost(), is(HOSTS.get(host)));
            String node = consul.clients().get(host).name();
            assertThat(name + " is registered with " + node,
                       read(ConsulDevAgent.get(agent(host), "/v1/agent/services", null)).has(registration.id()), is(true));
        });
        assertThat(read(get(facades().getFirst()).body()).has("logging"), is(true));
    }

    @Test
    @Order(2)
    void killingTheLeaderElectsAnotherAndNoRequestFails() throws InterruptedException {
        LabTraffic traffic = LabTraffic.start(facades(), 4, Duration.ofMillis(20), "leader-kill");
        Thread.sleep(1_000);
        String leader = consul.leader();
        long killed = System.nanoTime();
        lab.supervisor().kill(leader);
        String next = Eventually.await(SLOW, () -> {
            String now = consul.leader();
            return now.isEmpty() || now.equals(leader) ? null : now;
        }, () -> "a new leader after " + leader);
        Duration election = Duration.ofNanos(System.nanoTime() - killed);

        Duration settings = changeSettingsAndAwaitEveryInstance(15_000);
        Thread.sleep(1_000);
        List<String> failures = traffic.stop();
        consul.start(leader);
        consul.awaitFormed(SLOW);
        report("leader kill: %s killed, %s leads after %d ms; a lab_settings change after the election reached all %d"
                       + " instances in %d ms (goal <= 1000 ms: %s); %d requests through both facades, %d failed %s",
               leader, next, election.toMillis(), INSTANCES.size(), settings.toMillis(),
               settings.toMillis() <= 1_000 ? "PASS" : "FAIL", traffic.requests(), failures.size(), summary(failures));
        assertThat(traffic.requests(), greaterThan(50));
        assertThat(failures, is(empty()));
    }

    @Test
    @Order(3)
    void aHostWhoseAgentDiesLeavesPassingAndComesBackWhenTheAgentDoes() throws InterruptedException {
        int host = 1;
        String agentName = consul.clients().get(host).name();
        List<String> onHost = INSTANCES.entrySet().stream().filter(e -> e.getValue() == host).map(Map.Entry::getKey).toList();
        Map<String, Long> pids = new LinkedHashMap<>();
        onHost.forEach(name -> pids.put(name, lab.process(name).pid()));
        // Clients use the facades of the other hosts, as a load balancer that follows ?passing would.
        List<URI> otherFacades = facadesExcept(host);
        LabTraffic traffic = LabTraffic.start(otherFacades, 4, Duration.ofMillis(20), "agent-kill");
        Thread.sleep(1_000);

        long killed = System.nanoTime();
        lab.supervisor().kill(agentName);
        Duration detected = Eventually.await(SLOW, () -> onHost.stream().noneMatch(this::passing)
                ? Duration.ofNanos(System.nanoTime() - killed) : null, () -> onHost + " out of ?passing");
        Thread.sleep(2_000);

        long restarted = System.nanoTime();
        consul.start(agentName);
        Duration back = Eventually.await(SLOW, () -> onHost.stream().allMatch(this::passing)
                ? Duration.ofNanos(System.nanoTime() - restarted) : null, () -> onHost + " passing again");
        Thread.sleep(1_000);
        List<String> failures = traffic.stop();
        report("agent kill: %s killed, its %s out of ?passing after %d ms (serf failure detection); started again,"
                       + " all passing again after %d ms, not restarted; %d requests through the other facades, %d failed %s",
               agentName, onHost, detected.toMillis(), back.toMillis(), traffic.requests(), failures.size(), summary(failures));
        onHost.forEach(name -> assertThat(name + " was not restarted", lab.process(name).pid(), is(pids.get(name))));
        assertThat(traffic.requests(), greaterThan(50));
        assertThat(failures, is(empty()));
    }

    @Test
    @Order(4)
    void withoutQuorumRequestsGoOnAndEverythingIsBackWhenTheServersAre() throws InterruptedException {
        List<String> stopped = consul.servers().stream().map(ConsulCluster.Agent::name)
                .filter(name -> !name.equals(consul.leader())).limit(1).collect(Collectors.toCollection(ArrayList::new));
        stopped.add(consul.leader()); // the leader and one follower: one server is left, without quorum
        Map<String, Integer> logLines = new LinkedHashMap<>();
        INSTANCES.keySet().forEach(name -> logLines.put(name, lines(name)));
        LabTraffic traffic = LabTraffic.start(facades(), 4, Duration.ofMillis(20), "no-quorum");
        Thread.sleep(1_000);

        lab.supervisor().kill(stopped.toArray(String[]::new));
        long lost = System.nanoTime();
        Eventually.await(SLOW, () -> consul.leader().isEmpty(), "no leader without quorum");
        Thread.sleep(15_000);
        Map<String, Integer> logged = new TreeMap<>();
        INSTANCES.keySet().forEach(name -> logged.put(name, lines(name) - logLines.get(name)));
        long outage = System.nanoTime() - lost;

        long restarted = System.nanoTime();
        stopped.forEach(consul::start);
        consul.awaitFormed(SLOW);
        Duration leader = Duration.ofNanos(System.nanoTime() - restarted);
        Duration passing = Eventually.await(SLOW, () -> INSTANCES.keySet().stream().allMatch(this::passing)
                ? Duration.ofNanos(System.nanoTime() - restarted) : null, () -> "every instance passing again");
        Duration settings = changeSettingsAndAwaitEveryInstance(30_000);
        List<String> failures = traffic.stop();
        report("quorum lost: %s killed for %d s; lines logged meanwhile per instance %s; servers back: a leader after %d ms,"
                       + " every instance passing after %d ms, a lab_settings change reached all in %d ms; %d requests through"
                       + " both facades, %d failed %s",
               stopped, Duration.ofNanos(outage).toSeconds(), logged, leader.toMillis(), passing.toMillis(),
               settings.toMillis(), traffic.requests(), failures.size(), summary(failures));
        logged.forEach((name, lines) -> assertThat(name + " logs at most " + MOST_LOG_LINES_PER_OUTAGE + " lines while"
                                                           + " Consul has no quorum", lines, lessThanOrEqualTo(MOST_LOG_LINES_PER_OUTAGE)));
        assertThat(traffic.requests(), greaterThan(50));
        assertThat(failures, is(empty()));
    }

    // Puts a new messages_retention (a live setting) into lab_settings through the first host's
    // agent; returns how long it took until every instance's /settings showed it.
    // The first request a client agent forwards after its server died may still go to that server:
    // Consul answers 500 ("rpc error getting client") and moves on to another server, so the read and
    // the (idempotent) write are retried as any Consul user would.
    private static Duration changeSettingsAndAwaitEveryInstance(int retention) {
        JsonNode current = Eventually.await(SLOW, () -> read(ConsulDevAgent.get(agent(0), "/v1/kv/lab_settings?raw", null)),
                                            () -> "lab_settings read through " + agent(0));
        ((com.fasterxml.jackson.databind.node.ObjectNode) current).put("messages_retention", retention);
        long put = System.nanoTime(); // before the first try: a write that answered 500 may still have been applied
        String document = current.toString();
        Eventually.await(SLOW, () -> "true".equals(ConsulDevAgent.put(agent(0), "/v1/kv/lab_settings", document, null).trim()),
                         () -> "lab_settings written through " + agent(0));
        List<URI> settings = INSTANCES.keySet().stream().map(name -> lab.awaitRegistration(name).resolve("/settings")).toList();
        return Eventually.await(SLOW, () -> settings.stream().allMatch(
                uri -> read(get(uri).body()).path("messages_retention").asInt() == retention)
                ? Duration.ofNanos(System.nanoTime() - put) : null, () -> "messages_retention " + retention + " everywhere");
    }

    private boolean passing(String name) {
        String id = lab.awaitRegistration(name).id();
        String service = name.substring(0, name.indexOf('-')) + "-service";
        try {
            return ConsulHealth.passing(agent(0), service).stream().anyMatch(entry -> entry.id().equals(id));
        } catch (IllegalStateException e) {
            return false;
        }
    }

    private static List<URI> facades() {
        return facadesExcept(-1);
    }

    private static List<URI> facadesExcept(int host) {
        return INSTANCES.entrySet().stream()
                .filter(e -> e.getKey().startsWith("facade-") && e.getValue() != host)
                .map(e -> lab.awaitRegistration(e.getKey()).resolve("/facade")).toList();
    }

    private static URI agent(int host) {
        return consul.http(consul.clients().get(host).name());
    }

    private static int lines(String name) {
        return (int) lab.log(name).lines().count();
    }

    private static Map<String, Long> summary(List<String> failures) {
        return failures.stream().collect(Collectors.groupingBy(it -> it.length() > 120 ? it.substring(0, 120) : it,
                                                               TreeMap::new, Collectors.counting()));
    }

    private static void report(String format, Object... args) {
        System.out.printf("cluster drill, " + format + "%n", args);
    }
}
