package lab.launcher;

import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * What Consul's health endpoint says of a service's instances.
 */
public final class ConsulHealth {

    private ConsulHealth() {
    }

    /**
     * One registered instance and the worst status of its checks.
     *
     * @param id      Consul service id
     * @param address the address it registered
     * @param port    the port it registered
     * @param status  {@code passing}, {@code warning} or {@code critical}
     * @param service its Consul service name
     * @param meta    its {@code Service.Meta}
     */
    public record Entry(String id, String address, int port, String status, String service, Map<String, String> meta) {
    }

    /**
     * The instances whose every check passes.
     *
     * @param consul  the agent's HTTP address
     * @param service Consul service name
     * @return entries
     * @throws IllegalStateException if the agent does not answer
     */
    public static List<Entry> passing(URI consul, String service) {
        return entries(ConsulDevAgent.get(consul, "/v1/health/service/" + service + "?passing", null));
    }

    /**
     * Every registered instance, passing or not.
     *
     * @param consul  the agent's HTTP address
     * @param service Consul service name
     * @return entries
     */
    public static List<Entry> all(URI consul, String service) {
        return entries(ConsulDevAgent.get(consul, "/v1/health/service/" + service, null));
    }

    /**
     * The entries of a health answer, however it was fetched (the secure lab asks the CLI).
     *
     * @param json what {@code /v1/health/service/NAME} answers
     * @return entries
     */
    @SuppressWarnings("unchecked")
    static List<Entry> entries(String json) {
        List<Map<String, Object>> entries = (List<Map<String, Object>>) Json.parse(json);
        return entries.stream().map(entry -> {
            Map<String, Object> service = (Map<String, Object>) entry.get("Service");
            List<Map<String, Object>> checks = (List<Map<String, Object>>) entry.get("Checks");
            // an instance registered without an address is reached at its node's
            String address = (String) service.get("Address");
            if (address == null || address.isEmpty()) {
                address = (String) ((Map<String, Object>) entry.get("Node")).get("Address");
            }
            Map<String, String> meta = new java.util.TreeMap<>();
            ((Map<String, Object>) service.getOrDefault("Meta", Map.of())).forEach((key, value) -> meta.put(key, String.valueOf(value)));
            return new Entry((String) service.get("ID"), address,
                             ((Double) service.get("Port")).intValue(), worst(checks), (String) service.get("Service"), meta);
        }).toList();
    }

    private static String worst(List<Map<String, Object>> checks) {
        List<String> order = List.of("passing", "warning", "critical");
        return checks.stream()
                .map(check -> (String) check.get("Status"))
                .max((a, b) -> Integer.compare(order.indexOf(a), order.indexOf(b)))
                .orElse("passing");
    }
}
