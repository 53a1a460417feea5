package lab.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;

/**
 * Real Hazelcast members embedded in the test JVM, joined over TCP on 127.0.0.1 with a cluster
 * name of their own, so parallel test classes never meet.
 */
public final class HazelcastCluster implements AutoCloseable {

    private final String clusterName;
    private final List<Integer> ports;
    private final List<HazelcastInstance> members = new ArrayList<>();

    private HazelcastCluster(String clusterName, List<Integer> ports) {
        this.clusterName = clusterName;
        this.ports = ports;
    }

    /**
     * Starts {@code size} members.
     *
     * @param size number of members
     * @return running cluster
     */
    public static HazelcastCluster start(int size) {
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            ports.add(FreePorts.next());
        }
        HazelcastCluster cluster = new HazelcastCluster("test-" + ports.getFirst(), ports);
        ports.forEach(cluster::startMember);
        return cluster;
    }

    /**
     * Cluster name.
     *
     * @return name
     */
    public String clusterName() {
        return clusterName;
    }

    /**
     * Member addresses, {@code 127.0.0.1:port} each.
     *
     * @return addresses
     */
    public List<String> addresses() {
        return ports.stream().map(port -> "127.0.0.1:" + port).toList();
    }

    /**
     * A running member, for reading what services wrote.
     *
     * @return first member
     */
    public HazelcastInstance member() {
        return members.getFirst();
    }

    /**
     * A {@code lab_settings} document pointing at this cluster.
     *
     * @param queueName queue name
     * @param mapName   map name
     * @return JSON text
     */
    public String labSettings(String queueName, String mapName) {
        String members = addresses().stream().map(it -> "\"" + it + "\"").collect(Collectors.joining(", "));
        return """
                {"cluster_name": "%s", "queue_name": "%s", "map_name": "%s", "hazelcast_members": [%s]}
                """.formatted(clusterName, queueName, mapName, members);
    }

    /**
     * Stops one member, as a crash would look to the others (no graceful migration wait).
     *
     * @param index 0-based member index
     */
    public void stopMember(int index) {
        members.get(index).getLifecycleService().terminate();
    }

    @Override
    public void close() {
        members.stream().filter(member -> member.getLifecycleService().isRunning()).forEach(HazelcastInstance::shutdown);
    }

    private void startMember(int port) {
        Config config = new Config();
        config.setClusterName(clusterName);
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.partition.count", "23");
        config.setProperty("hazelcast.health.monitoring.level", "OFF");
        config.setProperty("hazelcast.logging.type", "jdk");
        config.setProperty("hazelcast.socket.bind.any", "false");
        config.getNetworkConfig().setPort(port).setPortAutoIncrement(false);
        config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        JoinConfig join = config.getNetworkConfig().getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).setMembers(addresses());
        members.add(Hazelcast.newHazelcastInstance(config));
    }
}
