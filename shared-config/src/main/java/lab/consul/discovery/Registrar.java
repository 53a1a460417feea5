package lab.consul.discovery;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import com.ecwid.consul.v1.ConsulClient;
import com.ecwid.consul.v1.OperationException;
import com.ecwid.consul.v1.agent.model.NewService;
import lab.consul.ConsulErrors;
import lab.consul.access.ConsulDenials;

/**
 * Registers one instance in Consul with a TTL check, keeps the check alive with a heartbeat on a
 * virtual thread, registers again when Consul forgot the instance, and deregisters on close.
 */
public final class Registrar implements AutoCloseable {

    private static final System.Logger LOGGER = System.getLogger(Registrar.class.getName());

    private final ConsulClient client;
    private final ServiceRegistration registration;
    private final Supplier<TtlStatus> health;
    private final ScheduledExecutorService heartbeat;
    private volatile boolean failing;
    private final java.util.concurrent.atomic.LongAdder sent = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder failed = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder registrations = new java.util.concurrent.atomic.LongAdder();

    private Registrar(ConsulClient client, ServiceRegistration registration, Supplier<TtlStatus> health) {
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
    public static Registrar create(ConsulClient client, ServiceRegistration registration, Supplier<TtlStatus> health) {
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
            client.agentServiceDeregister(registration.id());
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
        NewService.Check check = new NewService.Check();
        check.setTtl(seconds(registration.ttl()));
        check.setStatus("passing");
        check.setDeregisterCriticalServiceAfter(seconds(registration.deregisterAfter()));
        NewService service = new NewService();
        service.setId(registration.id());
        service.setName(registration.name());
        service.setAddress(registration.address());
        service.setPort(registration.port());
        service.setTags(registration.tags());
        service.setMeta(registration.meta());
        service.setCheck(check);
        client.agentServiceRegister(service);
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
        } catch (OperationException e) {
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
        switch (status.state()) {
        case PASSING -> client.agentCheckPass(registration.checkId(), status.note());
        case WARNING -> client.agentCheckWarn(registration.checkId(), status.note());
        case CRITICAL -> client.agentCheckFail(registration.checkId(), status.note());
        default -> throw new IllegalStateException("Unknown state " + status.state());
        }
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

    // Consul 1.8 answers a heartbeat for a check it does not know with 500 "does not have associated TTL".
    private static boolean forgotten(OperationException e) {
        return e.getStatusCode() == 404
                || (e.getStatusCode() == 500 && String.valueOf(e.getStatusContent()).contains("does not have associated TTL"));
    }

    private static String seconds(Duration duration) {
        return Math.max(1, duration.toSeconds()) + "s";
    }
}
