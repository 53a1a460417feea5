import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

import lab.consul.ConsulEndpoint;
import lab.consul.discovery.HealthyInstances;
import lab.consul.discovery.Instance;

/**
 * R7 of compose/bench.sh: how long a health change of one of many instances takes to reach the
 * project's discovery cache ({@link HealthyInstances}, a blocking query on {@code ?passing}).
 * <p>
 * {@code java -cp shared-config/target/classes:logging/target/libs/* compose/bench/HealthChange.java
 * CONSUL_URL SERVICE EXPECTED CHANGES}: fails the TTL check of a random instance
 * ({@code PUT /v1/agent/check/fail/service:<id>}), times until the cache no longer holds it, passes
 * it again and times until it is back; CHANGES times. Prints one line of key=value pairs (ms).
 */
public final class HealthChange {

    public static void main(String[] args) throws Exception {
        String consul = args[0];
        String service = args[1];
        int expected = Integer.parseInt(args[2]);
        int changes = Integer.parseInt(args[3]);
        HttpClient http = HttpClient.newHttpClient();
        try (HealthyInstances healthy = HealthyInstances.create(
                ConsulEndpoint.create(consul, Optional.empty()), service)) {
            if (!healthy.awaitFirstRead(Duration.ofSeconds(30))) {
                throw new IllegalStateException("no first read of " + service);
            }
            if (healthy.all().size() != expected) {
                throw new IllegalStateException(service + ": " + healthy.all().size() + " passing, expected " + expected);
            }
            List<Double> failed = new ArrayList<>();
            List<Double> passed = new ArrayList<>();
            for (int i = 0; i < changes; i++) {
                List<Instance> all = healthy.all();
                String id = all.get(ThreadLocalRandom.current().nextInt(all.size())).id();
                failed.add(change(http, consul, healthy, id, "fail", false));
                passed.add(change(http, consul, healthy, id, "pass", true));
                Thread.sleep(200);
            }
            System.out.printf("changes=%d fail_max_ms=%.0f pass_max_ms=%.0f fail_ms=%s pass_ms=%s%n",
                              changes, Collections.max(failed), Collections.max(passed), join(failed), join(passed));
        }
    }

    // Time from the PUT until the cache shows the change (polled every 0.1 ms).
    private static double change(HttpClient http, String consul, HealthyInstances healthy, String id, String verb,
                                 boolean present) throws Exception {
        long t0 = System.nanoTime();
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(consul + "/v1/agent/check/" + verb + "/service:" + id))
                        .PUT(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(verb + " " + id + ": " + response.statusCode() + " " + response.body());
        }
        while (contains(healthy, id) != present) {
            if (System.nanoTime() - t0 > 30_000_000_000L) {
                throw new IllegalStateException(id + " did not " + verb + " in the cache within 30 s");
            }
            LockSupport.parkNanos(100_000);
        }
        return (System.nanoTime() - t0) / 1e6;
    }

    private static boolean contains(HealthyInstances healthy, String id) {
        for (Instance instance : healthy.all()) {
            if (instance.id().equals(id)) {
                return true;
            }
        }
        return false;
    }

    private static String join(List<Double> values) {
        StringBuilder out = new StringBuilder();
        for (double v : values) {
            out.append(out.isEmpty() ? "" : ",").append(Math.round(v));
        }
        return out.toString();
    }
}
