package lab.consul.discovery;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import io.helidon.config.Config;

/**
 * What one instance tells Consul about itself.
 *
 * @param name    Consul service name, e.g. {@code logging-service}
 * @param id      unique service id of this instance
 * @param address address callers can reach
 * @param port    HTTP port
 * @param ttl     TTL of the health check that the heartbeat keeps passing
 * @param deregisterAfter how long Consul keeps the instance once critical ({@code DeregisterCriticalServiceAfter})
 * @param meta    service meta: {@code version}, {@code metrics_path} ({@code /observe/metrics}, for
 *                Prometheus), and those of {@code consul.service.meta} (a zone:
 *                what another service's discovery may watch alone, {@code consul.discovery.filter})
 * @param tags    service tags: {@code lab}, and those of {@code consul.service.tags} (a zone, a
 *                shard: what another service's discovery may watch alone, {@code consul.discovery.tag})
 */
public record ServiceRegistration(String name,
                                  String id,
                                  String address,
                                  int port,
                                  Duration ttl,
                                  Duration deregisterAfter,
                                  Map<String, String> meta,
                                  List<String> tags) {

    /** The {@code Service.Meta} key that says where the instance's metrics are. */
    public static final String METRICS_PATH_META = "metrics_path";
    /** Where every instance serves its metrics. */
    public static final String METRICS_PATH = "/observe/metrics";

    /**
     * Registration of the instance listening on {@code port}, from the {@code consul.service} node:
     * {@code address} (default {@code 127.0.0.1}; {@code auto} registers this host's own non-loopback
     * IPv4 address, what a container needs), {@code ttl} (default 5 s),
     * {@code deregister-after} (default 1 min, Consul's minimum), {@code tags} (a list, or words
     * separated by commas; {@code lab} is always one), {@code meta} (keys and values, e.g.
     * {@code meta.zone=a}; {@code version} is always the build's).
     *
     * @param name   Consul service name
     * @param id     unique id of this instance, see {@link #uniqueId(String)}
     * @param port   port the server really listens on
     * @param config the {@code consul.service} config node
     * @return registration
     */
    public static ServiceRegistration create(String name, String id, int port, Config config) {
        String address = config.get("address").asString().orElse("127.0.0.1");
        if (address.equals("auto")) {
            address = ownAddress();
        }
        return new ServiceRegistration(name,
                                       id,
                                       address,
                                       port,
                                       config.get("ttl").as(Duration.class).orElse(Duration.ofSeconds(5)),
                                       config.get("deregister-after").as(Duration.class).orElse(Duration.ofMinutes(1)),
                                       meta(config.get("meta")),
                                       tags(config.get("tags")));
    }

    /**
     * Consul's id of this instance's TTL check.
     *
     * @return check id
     */
    public String checkId() {
        return "service:" + id;
    }

    /**
     * A service id no other instance has: name, host name and a random suffix. Known before the
     * server starts, so traces and logs can carry it from the first request.
     *
     * @param name Consul service name
     * @return unique id
     */
    public static String uniqueId(String name) {
        return name + "-" + host() + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    // The first non-loopback IPv4 of an interface that is up: in a container, its address on the network.
    static String ownAddress() {
        try {
            return Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                    .filter(ServiceRegistration::usable)
                    .flatMap(networkInterface -> Collections.list(networkInterface.getInetAddresses()).stream())
                    .filter(address -> address instanceof Inet4Address && !address.isLoopbackAddress())
                    .map(InetAddress::getHostAddress)
                    .findFirst()
                    .orElse("127.0.0.1");
        } catch (SocketException e) {
            return "127.0.0.1";
        }
    }

    private static boolean usable(NetworkInterface networkInterface) {
        try {
            return networkInterface.isUp() && !networkInterface.isLoopback();
        } catch (SocketException e) {
            return false;
        }
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    private static List<String> tags(Config config) {
        List<String> tags = new ArrayList<>(List.of("lab"));
        config.asList(String.class).orElse(List.of()).stream()
                .flatMap(value -> Arrays.stream(value.split(",")))
                .map(String::strip)
                .filter(tag -> !tag.isEmpty() && !tags.contains(tag))
                .forEach(tags::add);
        return List.copyOf(tags);
    }

    private static Map<String, String> meta(Config config) {
        Map<String, String> meta = new TreeMap<>(config.detach().asMap().orElse(Map.of()));
        meta.put("version", version());
        // what Prometheus's consul_sd_configs relabels into __metrics_path__ (compose/prometheus.yml)
        meta.put(METRICS_PATH_META, METRICS_PATH);
        return Map.copyOf(meta);
    }

    private static String version() {
        String version = ServiceRegistration.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }
}
