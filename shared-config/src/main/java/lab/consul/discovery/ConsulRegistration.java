package lab.consul.discovery;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import java.util.function.Supplier;

import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpFeature;
import io.helidon.webserver.http.HttpRouting;
import lab.consul.ConsulConnection;

/**
 * Registration as part of the web server's life: the instance is registered, with the port the
 * server really listens on, once the server has started, and deregistered when it stops (or
 * earlier: an orderly shutdown deregisters first, then drains, then stops the server). Until then a
 * {@link Registrar} keeps its TTL check alive with the instance's health.
 */
public final class ConsulRegistration implements HttpFeature {

    private final ConsulConnection client;
    private final IntFunction<ServiceRegistration> registration;
    private final Supplier<TtlStatus> health;
    private final AtomicReference<Registrar> registrar = new AtomicReference<>();

    private ConsulRegistration(ConsulConnection client, IntFunction<ServiceRegistration> registration,
                               Supplier<TtlStatus> health) {
        this.client = client;
        this.registration = registration;
        this.health = health;
    }

    /**
     * Registration of the server this feature is added to.
     *
     * @param client       Consul client
     * @param registration what to register, given the port the server listens on
     * @param health       the instance's health, reported by every heartbeat
     * @return feature for the server's routing
     */
    public static ConsulRegistration create(ConsulConnection client, IntFunction<ServiceRegistration> registration,
                                            Supplier<TtlStatus> health) {
        return new ConsulRegistration(client, registration, health);
    }

    @Override
    public void setup(HttpRouting.Builder routing) {
        // No routes: this feature only lives through the server's start and stop.
    }

    @Override
    public void afterStart(WebServer server) {
        registrar.set(Registrar.create(client, registration.apply(server.port()), health).start());
    }

    @Override
    public void afterStop() {
        deregister();
    }

    /**
     * The registrar of the running server, if it runs.
     *
     * @return registrar
     */
    public java.util.Optional<Registrar> registrar() {
        return java.util.Optional.ofNullable(registrar.get());
    }

    /**
     * Stops the heartbeat and deregisters, once; later calls do nothing.
     */
    public void deregister() {
        Registrar running = registrar.getAndSet(null);
        if (running != null) {
            running.close();
        }
    }
}
