package lab.consul.discovery;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.helidon.json.JsonObject;
import lab.consul.BlockingQuery;
import lab.consul.ConsulClients;
import lab.consul.ConsulConnection;
import lab.consul.ConsulEndpoint;
import lab.consul.Query;
import lab.consul.ReadMode;
import lab.json.Json;

/**
 * The passing instances of one service, kept in memory and refreshed by a blocking query on
 * {@code /v1/health/service/NAME?passing}: a pick never calls Consul, and a change reaches the
 * snapshot as soon as Consul sees it.
 * <p>
 * A Consul outage keeps the last snapshot. So does the first moment after it: an agent that lost
 * its state (a restarted {@code -dev} agent) answers "no instances" until their heartbeats have
 * registered them again, and for a short grace an empty answer after an outage does not empty a
 * snapshot that had instances.
 */
public final class HealthyInstances implements AutoCloseable {

    private static final System.Logger LOGGER = System.getLogger(HealthyInstances.class.getName());
    /** Longer than a heartbeat interval, which is when running instances register with a new agent. */
    static final Duration RECOVERY_GRACE = Duration.ofSeconds(10);
    // Random draws before pick lists the untried instances.
    private static final int DRAWS = 4;

    private final String serviceName;
    private final Duration recoveryGrace;
    private final AtomicReference<List<Instance>> snapshot = new AtomicReference<>(List.of());
    private final CountDownLatch firstRead = new CountDownLatch(1);
    private final ConsulConnection client;
    private final BlockingQuery<List<JsonObject>> watch;
    // Only the watch's thread touches these.
    private boolean recovering;
    private long recoveringUntil;

    private HealthyInstances(ConsulConnection client, String serviceName, Duration recoveryGrace, ReadMode reads,
                             Subset subset) {
        this.client = client;
        this.serviceName = serviceName;
        this.recoveryGrace = recoveryGrace;
        this.watch = BlockingQuery.start("health-" + serviceName + (subset.equals(Subset.ALL) ? "" : " (" + subset + ")"),
                                         "service:read on \"" + serviceName + "\" and node:read", reads,
                                         query -> client.health(serviceName, passing(query, reads, subset)),
                                         this::answered);
    }

    /**
     * Starts watching a service's passing instances.
     *
     * @param endpoint    Consul agent
     * @param serviceName Consul service name
     * @return the live set; its first read is under way
     */
    public static HealthyInstances create(ConsulEndpoint endpoint, String serviceName) {
        return create(endpoint, serviceName, ReadMode.DEFAULT, Subset.ALL);
    }

    /**
     * Starts watching the passing instances of a service, or of a part of it (a zone, a shard).
     *
     * @param endpoint    Consul agent
     * @param serviceName Consul service name
     * @param reads       consistency, wait and pause of the blocking query
     * @param subset      which of its instances: by tag, by filter expression, or all
     * @return the live set; its first read is under way
     */
    public static HealthyInstances create(ConsulEndpoint endpoint, String serviceName, ReadMode reads, Subset subset) {
        return new HealthyInstances(ConsulClients.forWatches(endpoint, reads), serviceName, RECOVERY_GRACE, reads, subset);
    }

    static HealthyInstances create(ConsulEndpoint endpoint, String serviceName, Duration recoveryGrace) {
        return new HealthyInstances(ConsulClients.forWatches(endpoint, ReadMode.DEFAULT), serviceName, recoveryGrace,
                                    ReadMode.DEFAULT, Subset.ALL);
    }

    /**
     * The service's name in Consul.
     *
     * @return service name
     */
    public String serviceName() {
        return serviceName;
    }

    /**
     * The current passing instances.
     *
     * @return snapshot, possibly empty
     */
    public List<Instance> all() {
        return snapshot.get();
    }

    /**
     * One passing instance at random, none of those already tried.
     * <p>
     * Every downstream call starts here, so the usual case costs the same for 3 or 10,000 instances:
     * a random index into the snapshot, drawn again while it hits a tried id (a failover has tried
     * at most a few). Only when {@value #DRAWS} draws all hit tried ids are the untried ones listed.
     * Either way each untried instance is equally likely.
     *
     * @param tried ids to leave out
     * @return an instance, or empty when no other passing instance exists
     */
    public Optional<Instance> pick(Set<String> tried) {
        List<Instance> all = snapshot.get();
        if (all.isEmpty()) {
            return Optional.empty();
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int draw = 0; draw < DRAWS; draw++) {
            Instance candidate = all.get(random.nextInt(all.size()));
            if (tried.isEmpty() || !tried.contains(candidate.id())) {
                return Optional.of(candidate);
            }
        }
        List<Instance> untried = all.stream().filter(it -> !tried.contains(it.id())).toList();
        return untried.isEmpty() ? Optional.empty() : Optional.of(untried.get(random.nextInt(untried.size())));
    }

    /**
     * Waits until the first answer from Consul arrived.
     *
     * @param timeout how long to wait
     * @return whether it arrived
     */
    public boolean awaitFirstRead(Duration timeout) {
        try {
            return firstRead.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Time since Consul last answered this watch: at most its wait (60 s) plus jitter while Consul
     * answers, growing while it does not (the snapshot is then the last known one).
     *
     * @return age of the snapshot's answer
     */
    public Duration sinceLastAnswer() {
        return watch.sinceLastAnswer();
    }

    /**
     * Failed questions of this watch since it started.
     *
     * @return count
     */
    public long watchErrors() {
        return watch.errors();
    }

    @Override
    public void close() {
        watch.close();
        client.close();
    }

    // Consul filters on its side: a watcher of one shard gets (and is woken by) that shard only.
    static Query passing(Query query, ReadMode reads, Subset subset) {
        Query passing = query.with("passing");
        if (reads.agentCache()) {
            passing = passing.with("cached");
        }
        if (subset.tag().isPresent()) {
            passing = passing.with("tag", subset.tag().get());
        }
        if (subset.filter().isPresent()) {
            passing = passing.with("filter", subset.filter().get());
        }
        return passing;
    }

    private void answered(List<JsonObject> passing, boolean moved, boolean recovered) {
        if (recovered) {
            // A new agent, or the same one after an outage: it may not know the instances yet.
            recovering = true;
            recoveringUntil = System.nanoTime() + recoveryGrace.toNanos();
        }
        List<Instance> instances = passing.stream().map(HealthyInstances::instance).toList();
        if (instances.isEmpty() && !snapshot.get().isEmpty() && recovering && System.nanoTime() - recoveringUntil < 0) {
            LOGGER.log(System.Logger.Level.DEBUG, "Consul lists no " + serviceName + " right after an outage;"
                    + " keeping the last " + snapshot.get().size() + " instances until they register again");
        } else {
            if (!instances.equals(snapshot.getAndSet(instances))) {
                LOGGER.log(System.Logger.Level.DEBUG, serviceName + " passing: " + instances);
            }
            recovering = recovering && instances.isEmpty();
        }
        firstRead.countDown();
    }

    // An instance registered without an address is reached at its node's.
    static Instance instance(JsonObject entry) {
        JsonObject service = entry.objectValue("Service", JsonObject.empty());
        String address = Json.text(service, "Address").filter(it -> !it.isBlank())
                .or(() -> Json.text(entry.objectValue("Node", JsonObject.empty()), "Address"))
                .orElse("");
        return new Instance(Json.text(service, "ID").orElse(""), address, service.intValue("Port", 0));
    }
}
