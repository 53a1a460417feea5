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

import com.hazelcast.cluster.InitialMembershipEvent;
import com.hazelcast.cluster.InitialMembershipListener;
import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import io.helidon.json.JsonObject;
import lab.consul.ConsulErrors;
import lab.consul.KvDocument;
import lab.consul.access.ConsulDenials;

/**
 * Keeps the KV key {@code cluster_nodes} current: {@code {"host:port": 1}} for each configured
 * Hazelcast member that is in the cluster, 0 for one that is not (members nobody configured are
 * listed too). Fed by Hazelcast's membership events; written with check-and-set, so logging
 * instances that report at the same time never lose each other's writes, and an unchanged status
 * is not written.
 * <p>
 * A key of its own, not a part of {@code lab_settings}: logging's token may write the members'
 * status without being able to change the lab's settings ({@code compose/acl/logging.hcl}).
 */
final class MemberStatusReporter implements InitialMembershipListener {

    private static final System.Logger LOGGER = System.getLogger(MemberStatusReporter.class.getName());

    /** The KV key. */
    static final String KEY = "cluster_nodes";
    private static final String WRITING = "writing " + KEY;

    private final KvDocument nodes;
    private final Supplier<List<String>> configuredMembers;
    // One writer at a time, off Hazelcast's event threads: a KV write may wait on Consul.
    private final ExecutorService writer = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("cluster-nodes").factory());

    private MemberStatusReporter(KvDocument nodes, Supplier<List<String>> configuredMembers) {
        this.nodes = nodes;
        this.configuredMembers = configuredMembers;
    }

    static MemberStatusReporter create(KvDocument nodes, Supplier<List<String>> configuredMembers) {
        return new MemberStatusReporter(nodes, configuredMembers);
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
            if (nodes.update(document -> document(statuses))) {
                LOGGER.log(System.Logger.Level.INFO, "cluster_nodes now " + statuses);
            }
            ConsulDenials.allowed(WRITING);
        } catch (RuntimeException e) {
            if (!ConsulDenials.denied(e, WRITING, "key:write on \"" + KEY + "\"")) {
                LOGGER.log(System.Logger.Level.WARNING, "Could not write cluster_nodes " + statuses + ": " + ConsulErrors.describe(e));
            }
        }
    }

    // The whole document is the statuses: a member no longer configured or present drops out of it.
    private static JsonObject document(Map<String, Integer> statuses) {
        JsonObject.Builder document = JsonObject.builder();
        statuses.forEach(document::set);
        return document.build();
    }

    private static InetSocketAddress resolve(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }
}
