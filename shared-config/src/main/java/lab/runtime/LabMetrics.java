package lab.runtime;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.Meter;
import lab.consul.discovery.HealthyInstances;
import lab.consul.discovery.Registrar;

/**
 * The lab's own meters, read when scraped (observable instruments: nothing on the request path):
 * <ul>
 *     <li>{@code lab.discovery.instances}: passing instances in each discovery snapshot;</li>
 *     <li>{@code lab.discovery.age}: seconds since Consul last answered that watch (at most its
 *     wait plus jitter while Consul answers; growing during an outage, while the last snapshot
 *     serves);</li>
 *     <li>{@code lab.discovery.watch.errors}: failed questions of each watch;</li>
 *     <li>{@code lab.settings.index}: the Consul index of the {@code lab_settings} in use;
 *     {@code lab.settings.rejected}: malformed documents seen (and not used);</li>
 *     <li>{@code lab.registration.heartbeats} by {@code outcome} ({@code sent}, {@code failed}) and
 *     {@code lab.registration.registrations} (the first and each re-registration);</li>
 *     <li>{@code lab.hazelcast.connected}: 1 while the Hazelcast client is connected.</li>
 * </ul>
 */
final class LabMetrics {

    static final AttributeKey<String> SERVICE = AttributeKey.stringKey("lab.peer.service");
    static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("outcome");

    private LabMetrics() {
    }

    static void register(Meter meter, List<HealthyInstances> discovered, LiveSettings settings, Supplier<Long> rejected,
                         Supplier<Optional<Registrar>> registrar, List<HazelcastConnection> hazelcast) {
        meter.gaugeBuilder("lab.discovery.instances").ofLongs().setUnit("{instance}")
                .setDescription("Passing instances in the discovery snapshot of a service")
                .buildWithCallback(gauge -> discovered.forEach(
                        instances -> gauge.record(instances.all().size(), service(instances))));
        meter.gaugeBuilder("lab.discovery.age").setUnit("s")
                .setDescription("Time since Consul last answered the discovery watch of a service")
                .buildWithCallback(gauge -> discovered.forEach(
                        instances -> gauge.record(instances.sinceLastAnswer().toMillis() / 1000.0, service(instances))));
        meter.counterBuilder("lab.discovery.watch.errors").setUnit("{error}")
                .setDescription("Failed questions of the discovery watch of a service")
                .buildWithCallback(counter -> discovered.forEach(
                        instances -> counter.record(instances.watchErrors(), service(instances))));
        meter.gaugeBuilder("lab.settings.index").ofLongs()
                .setDescription("Consul index of the lab_settings in use")
                .buildWithCallback(gauge -> gauge.record(settings.consulIndex()));
        meter.counterBuilder("lab.settings.rejected").setUnit("{document}")
                .setDescription("Malformed lab_settings documents seen and not used")
                .buildWithCallback(counter -> counter.record(rejected.get()));
        meter.counterBuilder("lab.registration.heartbeats").setUnit("{heartbeat}")
                .setDescription("Heartbeats of this instance's TTL check, by outcome")
                .buildWithCallback(counter -> registrar.get().ifPresent(running -> {
                    counter.record(running.heartbeatsSent(), Attributes.of(OUTCOME, "sent"));
                    counter.record(running.heartbeatsFailed(), Attributes.of(OUTCOME, "failed"));
                }));
        meter.counterBuilder("lab.registration.registrations").setUnit("{registration}")
                .setDescription("Registrations of this instance: the first, and each after Consul forgot it")
                .buildWithCallback(counter -> registrar.get().ifPresent(running -> counter.record(running.registrations())));
        meter.gaugeBuilder("lab.hazelcast.connected").ofLongs()
                .setDescription("1 while the Hazelcast client is connected to the cluster")
                .buildWithCallback(gauge -> hazelcast.forEach(connection -> gauge.record(connection.connected() ? 1 : 0)));
    }

    private static Attributes service(HealthyInstances instances) {
        return Attributes.of(SERVICE, instances.serviceName());
    }
}
