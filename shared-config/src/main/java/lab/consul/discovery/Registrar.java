package lab.consul.discovery;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.helidon.json.JsonObject;
import lab.consul.ConsulConnection;
import lab.consul.ConsulErrors;
import lab.consul.ConsulException;
import lab.consul.access.ConsulDenials;

/**
 * Registers one instance in Consul with a TTL check, keeps the check alive with a heartbeat on a
 * virtual thread, registers again when Consul forgot the instance, and deregisters on close.
 */
public final class Registrar implements AutoCloseable {

    private static final System.Logger LOGGER = System.getLogger(Registrar.class.getName());

    private final ConsulConnection client;
    private final ServiceRegistration registration;
    private final Supplier<TtlStatus> health;
    private final ScheduledExecutorService heartbeat;
    private volatile boolean failing;
    private final java.util.concurrent.atomic.LongAdder sent = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder failed = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder registrations = new java.util.concurrent.atomic.LongAdder();

    private Registrar(ConsulConnection client, ServiceRegistration registration, Supplier<TtlStatus> health) {
        this.client = client;
        this.registration = registration;
        this.health = health;
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(
                Thread.ofVirtual().name("heartbeat-" + registration.id()).factory());
    }

    /**
     * A registrar for one instance.
     *
     * @param client       Consul client
     * @param registration what to register
     * @param health       the instance's own health, reported by every heartbeat
     * @return registrar, not yet registered
     */
    public static Registrar create(ConsulConnection client, ServiceRegistration registration, Supplier<TtlStatus> health) {
        return new Registrar(client, registration, health);
    }

    /**
     * Registers the instance with its current health and starts the heartbeat at a third of the TTL.
     * If Consul does not answer now (it went away after the instance's start-up waited for it), the
     * heartbeat registers the instance once it does: Consul then answers that it knows no such check.
     *
     * @return this registrar
     */
    public Registrar start() {
        try {
            register();
        } catch (RuntimeException e) {
            heartbeatFailed(e);
        }
        long period = Math.max(registration.ttl().toMillis() / 3, 100);
        heartbeat.scheduleAtFixedRate(this::beat, period, period, TimeUnit.MILLISECONDS);
        return this;
    }

    /**
     * What this registrar registers.
     *
     * @return registration
     */
    public ServiceRegistration registration() {
        return registration;
    }

    /**
     * Stops the heartbeat first, so it cannot register the instance again, then deregisters.
     */
    @Override
    public void close() {
        heartbeat.shutdownNow();
        try {
            heartbeat.awaitTermination(2, TimeUnit.SECONDS);
            client.deregister(registration.id());
            LOGGER.log(System.Logger.Level.INFO, "Deregistered " + registration.id());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            if (!ConsulDenials.denied(e, "deregistering " + registration.id(), right())) {
                LOGGER.log(System.Logger.Level.WARNING, "Could not deregister " + registration.id() + ": " + ConsulErrors.describe(e));
            }
        }
    }

    private void register() {
        client.register(JsonObject.builder()
                                .set("ID", registration.id())
                                .set("Name", registration.name())
                                .set("Address", registration.address())
                                .set("Port", registration.port())
                                .setStrings("Tags", registration.tags())
                                .set("Meta", meta -> registration.meta().forEach(meta::set))
                                .set("Check", check -> check
                                        .set("TTL", seconds(registration.ttl()))
                                        .set("Status", "passing")
                                        .set("DeregisterCriticalServiceAfter", seconds(registration.deregisterAfter())))
                                .build());
        registrations.increment();
        // Registering an id Consul still knows keeps its old status: report the real one at once.
        report(health.get());
        LOGGER.log(System.Logger.Level.INFO, "Registered " + registration.id() + " at "
                + registration.address() + ":" + registration.port() + " (TTL " + seconds(registration.ttl()) + ")");
    }

    /**
     * Heartbeats Consul took since the start.
     *
     * @return count
     */
    public long heartbeatsSent() {
        return sent.sum();
    }

    /**
     * Heartbeats that failed (Consul away, or refused) since the start.
     *
     * @return count
     */
    public long heartbeatsFailed() {
        return failed.sum();
    }

    /**
     * Registrations that went through: the first, and each one after Consul forgot the instance.
     *
     * @return count
     */
    public long registrations() {
        return registrations.sum();
    }

    private void beat() {
        try {
            report(health.get());
            sent.increment();
            if (failing) {
                LOGGER.log(System.Logger.Level.INFO, "Heartbeat to Consul works again");
                failing = false;
            }
            ConsulDenials.allowed(what());
        } catch (ConsulException e) {
            if (forgotten(e)) {
                LOGGER.log(System.Logger.Level.INFO, "Consul no longer knows " + registration.id() + "; registering again");
                reRegister();
            } else {
                heartbeatFailed(e);
            }
        } catch (RuntimeException e) {
            heartbeatFailed(e);
        }
    }

    private void reRegister() {
        try {
            register();
        } catch (RuntimeException e) {
            heartbeatFailed(e);
        }
    }

    private void report(TtlStatus status) {
        client.updateTtl(registration.checkId(), status.state().consulName(), status.note());
    }

    // One line per failure spell; a denial says which right the token lacks.
    private void heartbeatFailed(RuntimeException e) {
        failed.increment();
        if (ConsulDenials.denied(e, what(), right())) {
            failing = true;
        } else if (!failing) {
            LOGGER.log(System.Logger.Level.WARNING, "Heartbeat for " + registration.id() + " failed: " + ConsulErrors.describe(e));
            failing = true;
        }
    }

    private String what() {
        return "registering and heartbeats of " + registration.id();
    }

    private String right() {
        return "service:write on \"" + registration.name() + "\"";
    }

    // Consul 1.8 answers a heartbeat for a check it does not know with a 500: "does not have associated TTL",
    // or "Unknown check" when ACLs are on (it looks the check up to vet the token first).
    private static boolean forgotten(ConsulException e) {
        return e.status() == 404
                || (e.status() == 500 && (e.body().contains("does not have associated TTL") || e.body().contains("Unknown check")));
    }

    private static String seconds(Duration duration) {
        return Math.max(1, duration.toSeconds()) + "s";
    }
}
