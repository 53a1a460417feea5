package lab.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import com.ecwid.consul.v1.ConsulClient;
import com.ecwid.consul.v1.kv.model.PutParams;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;

/**
 * What every service does with Consul at start: wait for the agent, seed {@code lab_settings} if
 * it is missing, build the layered config, register with a heartbeat, discover its peers.
 * <p>
 * Config layers, highest first: command line ({@code --port}), system properties, environment
 * variables, Consul KV {@code lab_settings} (live), the lab's defaults, {@code application.yaml}.
 */
public final class LabBootstrap {

    private static final System.Logger LOGGER = System.getLogger(LabBootstrap.class.getName());

    private final String serviceName;
    private final String instanceId;
    private final ConsulEndpoint endpoint;
    private final ConsulClient client;
    private final Config config;

    private LabBootstrap(String serviceName, ConsulEndpoint endpoint, Map<String, String> arguments) {
        this.serviceName = serviceName;
        this.instanceId = ServiceRegistration.uniqueId(serviceName);
        this.endpoint = endpoint;
        this.client = ConsulClients.create(endpoint);
        waitForConsul(Boolean.parseBoolean(System.getenv("CONSUL_FAIL_FAST")));
        this.config = Config.builder()
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .sources(List.of(ConfigSources.create(arguments),
                                 ConfigSources.systemProperties(),
                                 ConfigSources.environmentVariables(),
                                 ConsulConfigSource.builder().endpoint(endpoint).key(LabSettings.KEY).optional(true),
                                 ConfigSources.classpath(LabSettings.DEFAULTS_RESOURCE),
                                 ConfigSources.classpath("application.yaml").optional(true)))
                .build();
    }

    /**
     * Bootstraps a service against the Consul agent named by {@code CONSUL_HTTP_ADDR}.
     *
     * @param serviceName Consul service name, e.g. {@code logging-service}
     * @param args        command line; {@code --port N} sets {@code server.port}
     * @return bootstrap with the service's config
     */
    public static LabBootstrap create(String serviceName, String... args) {
        return create(serviceName, ConsulEndpoint.fromEnvironment(), args);
    }

    /**
     * Bootstraps a service against the given agent.
     *
     * @param serviceName Consul service name
     * @param endpoint    Consul agent
     * @param args        command line; {@code --port N} sets {@code server.port}
     * @return bootstrap with the service's config
     */
    public static LabBootstrap create(String serviceName, ConsulEndpoint endpoint, String... args) {
        return new LabBootstrap(serviceName, endpoint, arguments(args));
    }

    /**
     * The service's layered config.
     *
     * @return root config
     */
    public Config config() {
        return config;
    }

    /**
     * This instance's Consul service id.
     *
     * @return unique id
     */
    public String instanceId() {
        return instanceId;
    }

    /**
     * The agent this service talks to.
     *
     * @return endpoint
     */
    public ConsulEndpoint endpoint() {
        return endpoint;
    }

    /**
     * Registers this instance, listening on {@code port}, and deregisters it when the JVM stops.
     *
     * @param port   the port the server really listens on
     * @param health the instance's own health, reported by every heartbeat
     * @return the running registrar
     */
    public Registrar register(int port, Supplier<TtlStatus> health) {
        ServiceRegistration registration = ServiceRegistration.create(serviceName, instanceId, port,
                                                                        config.get("consul.service"));
        Registrar registrar = Registrar.create(client, registration, health).start();
        Runtime.getRuntime().addShutdownHook(new Thread(registrar::close, "deregister-" + registration.id()));
        return registrar;
    }

    /**
     * The live set of passing instances of another service.
     *
     * @param serviceName Consul service name
     * @return instances, refreshed by a blocking query
     */
    public HealthyInstances discover(String serviceName) {
        return HealthyInstances.create(endpoint, serviceName);
    }

    private void waitForConsul(boolean failFast) {
        for (int attempt = 1; ; attempt++) {
            try {
                seedSettings();
                return;
            } catch (RuntimeException e) {
                if (failFast) {
                    throw new IllegalStateException("Consul at " + endpoint + " is not usable (CONSUL_FAIL_FAST=true): "
                                                            + e.getMessage(), e);
                }
                LOGGER.log(System.Logger.Level.WARNING, "Waiting for Consul at " + endpoint + " (attempt " + attempt
                        + "): " + e.getMessage());
                if (!Backoff.sleep(attempt)) {
                    throw new IllegalStateException("Interrupted while waiting for Consul", e);
                }
            }
        }
    }

    // Create-only (CAS index 0): concurrent first instances never overwrite each other or an operator's edit.
    private void seedSettings() {
        PutParams createOnly = new PutParams();
        createOnly.setCas(0L);
        Boolean created = client.setKVValue(LabSettings.KEY, defaultSettingsDocument(), createOnly).getValue();
        if (Boolean.TRUE.equals(created)) {
            LOGGER.log(System.Logger.Level.INFO, "Seeded Consul KV " + LabSettings.KEY + " with the lab's defaults");
        }
    }

    /**
     * The default {@code lab_settings} document.
     *
     * @return JSON text
     */
    public static String defaultSettingsDocument() {
        try (InputStream in = LabBootstrap.class.getClassLoader().getResourceAsStream(LabSettings.DEFAULTS_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(LabSettings.DEFAULTS_RESOURCE + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, String> arguments(String... args) {
        Map<String, String> arguments = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.startsWith("--port=")) {
                arguments.put("server.port", arg.substring("--port=".length()));
            } else if (arg.equals("--port") && i + 1 < args.length) {
                arguments.put("server.port", args[++i]);
            } else {
                throw new IllegalArgumentException("Unknown argument " + arg + "; usage: [--port N] (0 picks a free port)");
            }
        }
        return arguments;
    }
}
