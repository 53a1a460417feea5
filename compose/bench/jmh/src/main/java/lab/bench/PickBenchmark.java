package lab.bench;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import lab.consul.ConsulEndpoint;
import lab.consul.discovery.HealthyInstances;
import lab.consul.discovery.Instance;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The cost of one {@code HealthyInstances.pick(Set.of())} (what every downstream call does first)
 * with the discovery cache holding 3 or 1,000 passing instances, read from a real Consul agent
 * ({@code CONSUL_HTTP_ADDR}) where {@code compose/bench.sh} registered them: services
 * {@code synthetic-small} (3) and {@code synthetic-service} (1,000).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PickBenchmark {

    @Param({"3", "1000"})
    public int instances;

    private HealthyInstances healthy;

    @Setup
    public void watch() {
        String service = instances == 3 ? "synthetic-small" : "synthetic-service";
        healthy = HealthyInstances.create(ConsulEndpoint.fromEnvironment(), service);
        if (!healthy.awaitFirstRead(Duration.ofSeconds(30))) {
            throw new IllegalStateException("no answer from Consul for " + service);
        }
        if (healthy.all().size() != instances) {
            throw new IllegalStateException(service + " has " + healthy.all().size() + " passing instances, not "
                                                    + instances);
        }
    }

    @TearDown
    public void close() {
        healthy.close();
    }

    @Benchmark
    public Optional<Instance> pick() {
        return healthy.pick(Set.of());
    }
}
