package lab.launcher;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A real Prometheus beside the lab without Docker (Debian's {@code prometheus} package): its config
 * scrapes what {@link PrometheusTargets} writes, every 2 s, and the command lines of both
 * processes. {@code local.sh up} runs them when a {@code prometheus} binary is installed; the
 * tests always do (a missing binary fails them, with instructions).
 */
public final class LabPrometheus {

    private LabPrometheus() {
    }

    /**
     * The binary: {@code PROMETHEUS_BIN}, else {@code prometheus} on the {@code PATH}.
     *
     * @return path, empty when there is none
     */
    public static Optional<Path> binary() {
        String configured = System.getenv("PROMETHEUS_BIN");
        if (configured != null && !configured.isBlank()) {
            return Optional.of(Path.of(configured)).filter(Files::isExecutable);
        }
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, "prometheus"))
                .filter(Files::isExecutable)
                .findFirst();
    }

    /**
     * Writes the config into {@code dir}: one job, {@code lab}, reading {@code dir/targets.json}.
     *
     * @param dir directory for the config, the targets file and the data
     * @return the config file
     */
    public static Path writeConfig(Path dir) {
        try {
            Files.createDirectories(dir);
            Path config = dir.resolve("prometheus.yml");
            Files.writeString(config, """
                    # written by the launcher (lab.launcher.LabPrometheus); the targets by lab.launcher.PrometheusTargets
                    global:
                      scrape_interval: 2s
                      evaluation_interval: 2s
                    scrape_configs:
                      - job_name: lab
                        file_sd_configs:
                          - files: ["%s"]
                            refresh_interval: 2s
                    """.formatted(dir.resolve("targets.json").toAbsolutePath()));
            return config;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Prometheus's command line.
     *
     * @param binary  the binary
     * @param dir     where {@link #writeConfig(Path)} wrote; data goes to {@code dir/data}
     * @param address {@code host:port} of its web UI and API
     * @return command line
     */
    public static List<String> command(Path binary, Path dir, String address) {
        return List.of(binary.toString(), "--config.file=" + dir.resolve("prometheus.yml").toAbsolutePath(),
                       "--storage.tsdb.path=" + dir.resolve("data").toAbsolutePath(),
                       "--web.listen-address=" + address);
    }

    /**
     * The target writer's command line (this launcher's classes, the JDK running it).
     *
     * @param consul the agent to ask
     * @param dir    where the targets go ({@code dir/targets.json})
     * @return command line
     */
    public static List<String> targetsCommand(URI consul, Path dir) {
        String classpath = Path.of(PrometheusTargets.class.getProtectionDomain().getCodeSource().getLocation().getPath()).toString();
        return List.of(LabJvm.java(), "-Xmx32m", "-XX:+UseSerialGC", "-cp", classpath, PrometheusTargets.class.getName(),
                       consul.toString(), dir.resolve("targets.json").toAbsolutePath().toString());
    }
}
