package lab.launcher;

import java.net.URI;
import java.util.List;

/**
 * Where the lab's parts run on this machine. Three shapes: {@link #dev()}, one Consul dev agent and
 * everything on 127.0.0.1; {@link #secure()}, the same with the agent locked down (HTTPS only,
 * client certificates, ACLs, a token per service: {@link SecureConsul}); {@link #cluster()}, three
 * Consul servers (127.0.0.11-13) and three "hosts" (127.0.0.21-23), each with its client agent, a
 * Hazelcast member and its instances, which bind to the host's address and talk to that host's
 * agent only.
 *
 * @param name      {@code dev}, {@code secure} or {@code cluster}
 * @param servers   addresses of the Consul servers (one dev agent: the same address as its host)
 * @param hosts     addresses of the hosts, each with a client agent (dev: the one agent's address)
 * @param members   the Hazelcast members, {@code host:port}
 * @param instances the service instances
 */
record LabLayout(String name, List<String> servers, List<String> hosts, List<String> members, List<Instance> instances) {

    static final List<String> SERVICES = List.of("facade", "logging", "messages");
    static final ConsulDevAgent.Ports CONSUL_PORTS = ConsulDevAgent.Ports.defaults();

    /**
     * One service instance.
     *
     * @param name    process name, e.g. {@code logging-8081} or {@code logging-h3}
     * @param service facade, logging or messages
     * @param host    the address it binds, registers and is reached at
     * @param port    its port
     */
    record Instance(String name, String service, String host, int port) {

        URI uri(String path) {
            return URI.create("http://" + host + ":" + port + path);
        }

        URI consul() {
            return URI.create("http://" + host + ":" + CONSUL_PORTS.http());
        }
    }

    static LabLayout dev() {
        String host = "127.0.0.1";
        return new LabLayout("dev", List.of(host), List.of(host), List.of(host + ":5701", host + ":5702", host + ":5703"),
                             List.of(dev("facade", 8080), dev("facade", 8088),
                                     dev("logging", 8081), dev("logging", 8083), dev("logging", 8085),
                                     dev("messages", 8082), dev("messages", 8084)));
    }

    static LabLayout secure() {
        LabLayout dev = dev();
        return new LabLayout("secure", dev.servers(), dev.hosts(), dev.members(), dev.instances());
    }

    static LabLayout cluster() {
        List<String> hosts = List.of("127.0.0.21", "127.0.0.22", "127.0.0.23");
        return new LabLayout("cluster", List.of("127.0.0.11", "127.0.0.12", "127.0.0.13"), hosts,
                             hosts.stream().map(host -> host + ":5701").toList(),
                             List.of(onHost("facade", 1, 8080), onHost("logging", 1, 8081), onHost("messages", 1, 8082),
                                     onHost("facade", 2, 8080), onHost("logging", 2, 8081), onHost("messages", 2, 8082),
                                     onHost("logging", 3, 8081)));
    }

    static LabLayout named(String name) {
        return switch (name) {
            case "cluster" -> cluster();
            case "secure" -> secure();
            default -> dev();
        };
    }

    boolean isCluster() {
        return "cluster".equals(name);
    }

    boolean isSecure() {
        return "secure".equals(name);
    }

    /**
     * The agent the launcher itself asks: the first host's.
     *
     * @return HTTP API address
     */
    URI consul() {
        return isSecure()
                ? URI.create("https://" + hosts.getFirst() + ":" + SecureConsul.HTTPS_PORT)
                : URI.create("http://" + hosts.getFirst() + ":" + CONSUL_PORTS.http());
    }

    List<Instance> facades() {
        return instances.stream().filter(instance -> instance.service().equals("facade")).toList();
    }

    private static Instance dev(String service, int port) {
        return new Instance(service + "-" + port, service, "127.0.0.1", port);
    }

    private static Instance onHost(String service, int host, int port) {
        return new Instance(service + "-h" + host, service, "127.0.0." + (20 + host), port);
    }
}
