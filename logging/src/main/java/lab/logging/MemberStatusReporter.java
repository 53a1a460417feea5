package lab.logging;

import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.hazelcast.cluster.InitialMembershipEvent;
import com.hazelcast.cluster.InitialMembershipListener;
import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import lab.consul.KvDocument;

/**
 * Keeps {@code cluster_nodes} in {@code lab_settings} current: 1 for each configured Hazelcast
 * member that is in the cluster, 0 for one that is not (members nobody configured are listed too).
 * Fed by Hazelcast's membership events; written with check-and-set, so logging instances that
 * report at the same time never lose each other's writes, and an unchanged status is not written.
 */
final class MemberStatusReporter implements InitialMembershipListener {

    private static final System.Logger LOGGER = System.getLogger(MemberStatusReporter.class.getName());

    private final KvDocument settings;
    private final Supplier<List<String>> configuredMembers;
    // One writer at a time, off Hazelcast's event threads: a KV write may wait on Consul.
    private final ExecutorService writer = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("cluster-nodes").factory());

    private MemberStatusReporter(KvDocument settings, Supplier<List<String>> configuredMembers) {
        this.settings = settings;
        this.configuredMembers = configuredMembers;
    }

    static MemberStatusReporter create(KvDocument settings, Supplier<List<String>> configuredMembers) {
        return new MemberStatusReporter(settings, configuredMembers);
    }

    @Override
    public void init(InitialMembershipEvent event) {
        report(event.getMembers());
    }

    @Override
    public void memberAdded(MembershipEvent event) {
        report(event.getMembers());
    }

    @Override
    public void memberRemoved(MembershipEvent event) {
        report(event.getMembers());
    }

    private void report(Set<Member> members) {
        Set<InetSocketAddress> present = members.stream()
                .map(member -> member.getSocketAddress())
                .collect(Collectors.toSet());
        writer.submit(() -> write(statuses(present)));
    }

    private Map<String, Integer> statuses(Set<InetSocketAddress> present) {
        Map<String, Integer> statuses = new LinkedHashMap<>();
        Set<InetSocketAddress> unmatched = new java.util.HashSet<>(present);
        for (String configured : configuredMembers.get()) {
            InetSocketAddress address = resolve(configured);
            boolean up = unmatched.remove(address);
            statuses.put(configured, up ? 1 : 0);
        }
        unmatched.forEach(extra -> statuses.put(extra.getAddress().getHostAddress() + ":" + extra.getPort(), 1));
        return statuses;
    }

    private void write(Map<String, Integer> statuses) {
        try {
            if (settings.update(document -> withNodes(document, statuses))) {
                LOGGER.log(System.Logger.Level.INFO, "cluster_nodes now " + statuses);
            }
        } catch (RuntimeException e) {
            LOGGER.log(System.Logger.Level.WARNING, "Could not write cluster_nodes " + statuses + ": " + e.getMessage());
        }
    }

    private static ObjectNode withNodes(ObjectNode document, Map<String, Integer> statuses) {
        ObjectNode nodes = document.putObject("cluster_nodes");
        statuses.forEach(nodes::put);
        return document;
    }

    private static InetSocketAddress resolve(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }
}
