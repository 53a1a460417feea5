package lab.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A real Consul cluster on this machine: servers (Raft) and one client agent per "host", each agent
 * on its own loopback address (all of 127.0.0.0/8 is local on Linux) with the same port numbers,
 * as on separate machines. Agents keep their data in {@code dataRoot/<name>}, so an agent started
 * again comes back with what it knew (its services and checks).
 */
public final class ConsulCluster {

    private final Supervisor processes;
    private final Path dataRoot;
    private final ConsulDevAgent.Ports ports;
    private final List<Agent> agents;

    /**
     * One agent.
     *
     * @param name   process and node name, e.g. {@code consul-server-1}, {@code consul-host-1}
     * @param host   its own loopback address
     * @param server a server (Raft member) or a client agent
     */
    public record Agent(String name, String host, boolean server) {
    }

    private ConsulCluster(Supervisor processes, Path dataRoot, List<String> serverHosts, List<String> clientHosts,
                          ConsulDevAgent.Ports ports) {
        this.processes = processes;
        this.dataRoot = dataRoot;
        this.ports = ports;
        List<Agent> all = new ArrayList<>();
        for (int i = 0; i < serverHosts.size(); i++) {
            all.add(new Agent("consul-server-" + (i + 1), serverHosts.get(i), true));
        }
        for (int i = 0; i < clientHosts.size(); i++) {
            all.add(new Agent("consul-host-" + (i + 1), clientHosts.get(i), false));
        }
        this.agents = List.copyOf(all);
    }

    /**
     * A cluster, not started yet.
     *
     * @param processes   starts and stops the agents
     * @param dataRoot    where each agent keeps its data
     * @param serverHosts one address per server, e.g. 127.0.0.11-13
     * @param clientHosts one address per host's client agent, e.g. 127.0.0.21-23
     * @param ports       the ports every agent uses on its own address
     * @return cluster
     */
    public static ConsulCluster create(Supervisor processes, Path dataRoot, List<String> serverHosts,
                                       List<String> clientHosts, ConsulDevAgent.Ports ports) {
        return new ConsulCluster(processes, dataRoot, serverHosts, clientHosts, ports);
    }

    /**
     * Removes what the agents kept (Raft state, node ids, services): the next start is a new cluster.
     */
    public void forgetData() {
        if (!Files.exists(dataRoot)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dataRoot)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts every agent and waits until there is a leader and every agent is a live member.
     *
     * @param timeout how long to wait
     */
    public void start(Duration timeout) {
        agents.forEach(agent -> start(agent.name()));
        awaitFormed(timeout);
    }

    /**
     * Starts one agent (again), with the data it had.
     *
     * @param name agent name
     */
    public void start(String name) {
        Agent agent = agent(name);
        Path data = dataRoot.resolve(name);
        try {
            Files.createDirectories(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> command = new ArrayList<>(List.of(
                ConsulDevAgent.binary().toString(), "agent", "-node=" + name, "-data-dir=" + data,
                "-bind=" + agent.host(), "-client=" + agent.host(),
                "-http-port=" + ports.http(), "-dns-port=" + ports.dns(),
                "-serf-lan-port=" + ports.serfLan(), "-serf-wan-port=" + ports.serfWan(),
                "-server-port=" + ports.server(), "-grpc-port=" + ports.grpc(),
                // elections in about a second, as Consul advises for production
                "-hcl=performance { raft_multiplier = 1 }"));
        if (agent.server()) {
            command.addAll(List.of("-server", "-bootstrap-expect=" + servers().size(), "-ui"));
        }
        servers().forEach(server -> command.add("-retry-join=" + server.host() + ":" + ports.serfLan()));
        processes.start(name, command, Map.of());
    }

    /**
     * Waits until some server leads and every agent is an alive member of the LAN pool.
     *
     * @param timeout how long to wait
     */
    public void awaitFormed(Duration timeout) {
        Eventually.await(timeout, () -> {
            for (Agent agent : agents) {
                if (!processes.alive(agent.name())) {
                    throw new Eventually.GiveUp(agent.name() + " exited:\n" + processes.logTail(agent.name(), 20));
                }
            }
            URI any = http(clients().isEmpty() ? agents.getFirst().name() : clients().getFirst().name());
            if (leader().isEmpty()) {
                return null;
            }
            // serf's member status 1 is "alive" (2 leaving, 3 left, 4 failed)
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> members = (List<Map<String, Object>>) Json.parse(
                    ConsulDevAgent.get(any, "/v1/agent/members", null));
            long alive = members.stream()
                    .filter(member -> Double.valueOf(1).equals(member.get("Status")))
                    .filter(member -> agents.stream().anyMatch(agent -> agent.name().equals(member.get("Name"))))
                    .count();
            return alive == agents.size() ? Boolean.TRUE : null;
        }, () -> "a Consul cluster of " + servers().size() + " servers and " + clients().size()
                + " client agents with a leader" + processes.logTails());
    }

    /**
     * The leading server's name, asked of any agent that answers.
     *
     * @return name, or empty while there is no leader (or no agent answers)
     */
    public String leader() {
        for (Agent agent : agents) {
            if (!processes.alive(agent.name())) {
                continue;
            }
            try {
                String leader = ConsulDevAgent.get(http(agent.name()), "/v1/status/leader", null).replace("\"", "");
                return servers().stream().filter(server -> leader.startsWith(server.host() + ":"))
                        .map(Agent::name).findFirst().orElse("");
            } catch (IllegalStateException e) {
                // not answering: ask the next one
            }
        }
        return "";
    }

    /**
     * The HTTP API of an agent.
     *
     * @param name agent name
     * @return e.g. {@code http://127.0.0.21:8500}
     */
    public URI http(String name) {
        return URI.create("http://" + agent(name).host() + ":" + ports.http());
    }

    /**
     * The servers.
     *
     * @return servers, in order
     */
    public List<Agent> servers() {
        return agents.stream().filter(Agent::server).toList();
    }

    /**
     * The client agents, one per host.
     *
     * @return client agents, in order
     */
    public List<Agent> clients() {
        return agents.stream().filter(agent -> !agent.server()).toList();
    }

    /**
     * Every agent.
     *
     * @return servers, then client agents
     */
    public List<Agent> agents() {
        return agents;
    }

    private Agent agent(String name) {
        return agents.stream().filter(agent -> agent.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no agent " + name));
    }
}
