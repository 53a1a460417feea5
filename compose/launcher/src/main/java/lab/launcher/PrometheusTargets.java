package lab.launcher;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Prometheus's list of the lab's instances for a Prometheus without Consul discovery (Debian's
 * package is built without it): a {@code file_sd_configs} file of every instance Consul has
 * passing, with the labels the compose stack's {@code consul_sd_configs} job gives them
 * ({@code service}, {@code instance_id}, {@code host}, and the {@code metrics_path} each one
 * registered), rewritten atomically whenever Consul's answer changes; Prometheus reads it again
 * on its own. The one place this is done: {@code local.sh} and the tests run it as a process,
 * {@code java -cp launcher.jar lab.launcher.PrometheusTargets CONSUL_URL FILE}.
 */
public final class PrometheusTargets {

    static final List<String> SERVICES = List.of("facade-service", "logging-service", "messages-service");
    private static final long PERIOD_MILLIS = 1_000;

    private PrometheusTargets() {
    }

    /**
     * Keeps the file current until the process is stopped.
     *
     * @param args the agent's HTTP address and the file
     * @throws InterruptedException when stopped
     */
    public static void main(String[] args) throws InterruptedException {
        URI consul = URI.create(args[0]);
        Path file = Path.of(args[1]);
        String written = null;
        while (true) {
            try {
                List<ConsulHealth.Entry> passing = new ArrayList<>();
                for (String service : SERVICES) {
                    passing.addAll(ConsulHealth.passing(consul, service));
                }
                String targets = targets(passing);
                if (!targets.equals(written)) {
                    write(file, targets);
                    written = targets;
                    System.out.println("targets: " + passing.stream().map(ConsulHealth.Entry::id).sorted().toList());
                }
            } catch (RuntimeException | IOException e) {
                // Consul away: the last list stays, as a discovery snapshot does
                System.out.println("targets kept (" + e.getMessage() + ")");
            }
            Thread.sleep(PERIOD_MILLIS);
        }
    }

    /**
     * The {@code file_sd} JSON of these instances, one target group each.
     *
     * @param passing instances
     * @return JSON text
     */
    static String targets(List<ConsulHealth.Entry> passing) {
        return passing.stream()
                .sorted(Comparator.comparing(ConsulHealth.Entry::id))
                .map(entry -> "  {\"targets\": [" + quote(entry.address() + ":" + entry.port()) + "], \"labels\": {"
                        + "\"service\": " + quote(entry.service())
                        + ", \"instance_id\": " + quote(entry.id())
                        + ", \"host\": " + quote(entry.address())
                        + ", \"__metrics_path__\": " + quote(entry.meta().getOrDefault("metrics_path", "/metrics")) + "}}")
                .collect(Collectors.joining(",\n", "[\n", "\n]\n"));
    }

    private static void write(Path file, String content) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path next = Files.createTempFile(file.toAbsolutePath().getParent(), "targets", ".tmp");
        Files.writeString(next, content);
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static String quote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
