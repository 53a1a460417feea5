package lab.runtime;

import java.util.HashMap;
import java.util.Map;

/**
 * What a service's command line may say: {@code --port N} (or {@code --port=N}) and
 * {@code --help}. Everything else is configured by environment variables, listed by
 * {@code --help}.
 */
public final class CommandLine {

    private CommandLine() {
    }

    /**
     * What the command line asks for.
     */
    public sealed interface Parsed {
    }

    /**
     * Run, with these config values.
     *
     * @param config {@code server.port} when {@code --port} was given
     */
    public record Run(Map<String, String> config) implements Parsed {
    }

    /**
     * Print the usage and exit 0.
     *
     * @param usage the text
     */
    public record Help(String usage) implements Parsed {
    }

    /**
     * Say what is wrong in one line and exit 2.
     *
     * @param message the line
     */
    public record Invalid(String message) implements Parsed {
    }

    /**
     * Reads a command line.
     *
     * @param service Consul service name, e.g. {@code facade-service}
     * @param args    the arguments
     * @return what to do
     */
    public static Parsed parse(String service, String... args) {
        Map<String, String> config = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                return new Help(usage(service));
            }
            String port;
            if (arg.startsWith("--port=")) {
                port = arg.substring("--port=".length());
            } else if (arg.equals("--port") && i + 1 < args.length) {
                port = args[++i];
            } else {
                return new Invalid(jar(service) + ": unknown option " + arg + " (--help lists the options)");
            }
            if (!port.matches("\\d{1,5}") || Integer.parseInt(port) > 65535) {
                return new Invalid(jar(service) + ": --port wants a number from 0 to 65535, not " + port);
            }
            config.put("server.port", port);
        }
        return new Run(Map.copyOf(config));
    }

    static String usage(String service) {
        return """
                usage: java -jar %1$s.jar [--port N]
                  --port N      HTTP port (0: any free port; the real one is registered in Consul)
                  --help        this text

                environment (the consul CLI's names for Consul):
                  CONSUL_HTTP_ADDR            agent, host:port or URL; https:// for TLS (default 127.0.0.1:8500)
                  CONSUL_HTTP_TOKEN           ACL token; or CONSUL_HTTP_TOKEN_FILE, read again when it changes
                  CONSUL_CACERT, CONSUL_CLIENT_CERT, CONSUL_CLIENT_KEY, CONSUL_TLS_SERVER_NAME,
                  CONSUL_HTTP_SSL, CONSUL_HTTP_SSL_VERIFY   TLS to the agent
                  CONSUL_FAIL_FAST=true       fail at start if Consul is not usable (default: wait, with back-off)
                  CONSUL_SERVICE_ADDRESS      address registered (default 127.0.0.1; auto: this host's own)
                  CONSUL_SERVICE_TTL, CONSUL_SERVICE_DEREGISTER_dash_AFTER, CONSUL_SERVICE_DRAIN (ISO-8601)
                  CONSUL_SERVICE_TAGS, CONSUL_SERVICE_META_<KEY>          tags and Service.Meta of this instance
                  CONSUL_DISCOVERY_TAG, CONSUL_DISCOVERY_FILTER           watch only a part of other services
                  CONSUL_READ_CONSISTENCY (cached, stale, default, consistent), CONSUL_READ_WAIT,
                  CONSUL_READ_MAX_dash_STALE, CONSUL_READ_MIN_dash_INTERVAL  how Consul is read
                  SERVER_PORT, SERVER_HOST    port (as --port) and bind address (default 0.0.0.0)
                  OTEL_*                      OpenTelemetry (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_METRICS_EXPORTER, ...)
                  LAB_METRICS=off             no /observe/metrics
                  LAB_HAZELCAST_STATISTICS=on the Hazelcast client's statistics, for Management Center
                The lab's shared settings are Consul KV lab_settings (README: Configuration).
                """.formatted(jar(service));
    }

    private static String jar(String service) {
        return service.endsWith("-service") ? service.substring(0, service.length() - "-service".length()) : service;
    }
}
