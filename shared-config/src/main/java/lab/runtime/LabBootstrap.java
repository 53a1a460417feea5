package lab.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EventListener;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.health.HealthCheck;
import io.helidon.logging.common.LogConfig;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.observe.ObserveFeature;
import io.helidon.webserver.observe.health.HealthObserver;
import lab.consul.Backoff;
import lab.consul.ConsulClients;
import lab.consul.ConsulConnection;
import lab.consul.ConsulException;
import lab.consul.ConsulEndpoint;
import lab.consul.ConsulErrors;
import lab.consul.KvDocument;
import lab.consul.ReadMode;
import lab.consul.access.ConsulDenials;
import lab.consul.config.ConsulConfigSource;
import lab.consul.discovery.ConsulRegistration;
import lab.consul.discovery.HealthTtl;
import lab.consul.discovery.HealthyInstances;
import lab.consul.discovery.ServiceRegistration;
import lab.consul.discovery.Subset;
import lab.observability.Telemetry;

/**
 * What every service does with Consul: wait for the agent, seed {@code lab_settings} if it is
 * missing, build the layered live config, discover its peers, and serve: a web server whose start
 * registers the instance (with a heartbeat that reports its health checks) and whose orderly
 * shutdown goes deregister, drain, stop, close.
 * <p>
 * Config layers, highest first: command line ({@code --port}), system properties, environment
 * variables, Consul KV {@code lab_settings} (live), the lab's defaults, {@code application.yaml}.
 */
public final class LabBootstrap implements AutoCloseable {

    private static final System.Logger LOGGER = System.getLogger(LabBootstrap.class.getName());

    private final String serviceName;
    private final String instanceId;
    private final ConsulEndpoint endpoint;
    private final ConsulConnection client;
    private final ReadMode reads;
    private final ConsulConfigSource settingsSource;
    private final Config config;
    private final LiveSettings settings;
    private final List<HealthCheck> healthChecks = new ArrayList<>();
    private final List<HealthyInstances> discovered = new CopyOnWriteArrayList<>();
    private final List<HazelcastConnection> hazelcastConnections = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.atomic.AtomicReference<ConsulRegistration> registration =
            new java.util.concurrent.atomic.AtomicReference<>();
    private Telemetry telemetry;
    // Closed last, when the server has stopped.
    private final List<AutoCloseable> resources = new CopyOnWriteArrayList<>();

    private LabBootstrap(Builder builder) {
        this.serviceName = builder.serviceName;
        this.instanceId = ServiceRegistration.uniqueId(serviceName);
        this.endpoint = builder.endpoint;
        this.client = ConsulClients.create(endpoint);
        waitForConsul(builder.failFast);
        // How this instance reads from Consul is its own config's (command line, environment,
        // application.yaml): lab_settings is read that way.
        Config own = Config.builder()
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .sources(List.of(ConfigSources.create(builder.arguments),
                                 ConfigSources.systemProperties(),
                                 ConfigSources.environmentVariables(),
                                 ConfigSources.classpath("application.yaml").optional(true)))
                .build();
        this.reads = ReadMode.create(own.get("consul.read"));
        this.settingsSource = ConsulConfigSource.builder()
                .endpoint(endpoint)
                .readMode(reads)
                .key(LabSettings.KEY)
                .restoreWhenMissing(true)
                .validator(LabSettings::problem)
                .optional(true)
                .build();
        this.config = Config.builder()
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .sources(List.of(ConfigSources.create(builder.arguments),
                                 ConfigSources.systemProperties(),
                                 ConfigSources.environmentVariables(),
                                 () -> settingsSource,
                                 ConfigSources.classpath(LabSettings.DEFAULTS_RESOURCE),
                                 ConfigSources.classpath("application.yaml").optional(true)))
                .build();
        this.settings = LiveSettings.create(config, settingsSource);
        healthChecks.add(settings);
        healthChecks.add(ConsulAccessCheck.create());
    }

    /**
     * Bootstraps a service against the Consul agent named by {@code CONSUL_HTTP_ADDR}, waiting for it
     * unless {@code CONSUL_FAIL_FAST=true}.
     *
     * @param serviceName Consul service name, e.g. {@code logging-service}
     * @param args        command line ({@link CommandLine}): {@code --port N} sets {@code server.port};
     *                    {@code --help} prints the usage and exits 0, anything else exits 2 with one line
     * @return bootstrap with the service's config
     */
    public static LabBootstrap create(String serviceName, String... args) {
        switch (CommandLine.parse(serviceName, args)) {
        case CommandLine.Help help -> {
            System.out.print(help.usage());
            System.exit(0);
        }
        case CommandLine.Invalid invalid -> {
            System.err.println(invalid.message());
            System.exit(2);
        }
        case CommandLine.Run run -> {
            // the arguments are valid: Builder.arguments reads them
        }
        }
        LogConfig.configureRuntime();
        return builder()
                .serviceName(serviceName)
                .failFast(Boolean.parseBoolean(System.getenv("CONSUL_FAIL_FAST")))
                .arguments(args)
                .build();
    }

    /**
     * A builder, for tests and embedding.
     *
     * @return builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * This service's name in Consul.
     *
     * @return e.g. {@code logging-service}
     */
    public String serviceName() {
        return serviceName;
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
     * The lab settings, kept current from Consul.
     *
     * @return live settings
     */
    public LiveSettings settings() {
        return settings;
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
     * {@code GET /settings} for this instance.
     *
     * @return service to register at {@code /settings}
     */
    public SettingsService settingsService() {
        return SettingsService.create(settings, instanceId);
    }

    /**
     * A Hazelcast client for the cluster {@code lab_settings} names, closed when the server stops.
     * Its connection is one of the instance's health checks.
     *
     * @param listeners Hazelcast listeners (membership, lifecycle, ...) to register before it starts
     * @return connection; it connects in the background
     */
    public HazelcastConnection hazelcast(EventListener... listeners) {
        HazelcastConnection hazelcast = HazelcastConnection.connect(settings.current(), instanceId, listeners);
        healthChecks.add(hazelcast);
        hazelcastConnections.add(hazelcast);
        resources.add(hazelcast);
        return hazelcast;
    }

    /**
     * This instance's OpenTelemetry SDK (traces and metrics, {@link Telemetry}), created on first
     * use with the lab's own meters ({@link LabMetrics}) on it; {@link #serve} serves its metrics at
     * {@code /observe/metrics}.
     *
     * @return telemetry
     */
    public synchronized Telemetry telemetry() {
        if (telemetry == null) {
            telemetry = Telemetry.create(serviceName, instanceId);
            LabMetrics.register(telemetry.openTelemetry().getMeter("lab.runtime"), discovered, settings,
                                settingsSource::rejected, () -> Optional.ofNullable(registration.get()).flatMap(ConsulRegistration::registrar),
                                hazelcastConnections);
        }
        return telemetry;
    }

    /**
     * Registration of the server it is added to, reporting this instance's health checks.
     *
     * @return feature for the server's routing
     */
    public ConsulRegistration registration() {
        return ConsulRegistration.create(client, port -> ServiceRegistration.create(serviceName, instanceId, port,
                                                                                    config.get("consul.service")),
                                         HealthTtl.create(healthChecks));
    }

    /**
     * Starts the service's web server from the {@code server} config: its routes (given), {@code GET
     * /settings}, JSON errors, health at {@code /observe/health}, metrics at {@code /observe/metrics}
     * ({@link #telemetry()}), and registration in Consul once
     * it listens. Stopping the JVM (SIGTERM, Ctrl-C) runs the shutdown in a fixed order: deregister,
     * wait {@code consul.service.drain} (1 s) so the callers' discovery drops this instance while
     * it still answers, stop the server (letting running requests finish), then close Hazelcast
     * and the Consul watches.
     *
     * @param routes the service's own routes
     * @return the running server
     */
    public WebServer serve(Consumer<HttpRouting.Builder> routes) {
        ConsulRegistration registration = registration();
        this.registration.set(registration);
        Telemetry telemetry = telemetry();
        WebServer server = WebServer.builder()
                .config(config.get("server"))
                // Helidon's own hook would stop the server before it is deregistered: this class stops it.
                .shutdownHook(false)
                .featuresDiscoverServices(false)
                .directHandlers(JsonErrors.directHandlers())
                .addFeature(ObserveFeature.create(HealthObserver.builder()
                                                          .useSystemServices(false)
                                                          .details(true)
                                                          .addChecks(healthChecks.toArray(HealthCheck[]::new))
                                                          .build()))
                .routing(routing -> {
                    routing.get("/observe/metrics", telemetry.metricsEndpoint());
                    routing.register("/settings", settingsService());
                    routes.accept(routing);
                    JsonErrors.install(routing).addFeature(registration);
                })
                .build();
        Duration drain = config.get("consul.service.drain").as(Duration.class).orElse(Duration.ofSeconds(1));
        Thread shutdown = new Thread(() -> shutDown(server, registration, drain), "shutdown-" + instanceId);
        Runtime.getRuntime().addShutdownHook(shutdown);
        try {
            return server.start();
        } catch (RuntimeException e) {
            // Hazelcast's threads would keep a JVM that cannot serve alive, unregistered.
            Runtime.getRuntime().removeShutdownHook(shutdown);
            closeResources();
            throw e;
        }
    }

    private void shutDown(WebServer server, ConsulRegistration registration, Duration drain) {
        registration.deregister();
        try {
            Thread.sleep(drain);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        server.stop();
        closeResources();
        LOGGER.log(System.Logger.Level.INFO, instanceId + " stopped");
    }

    /**
     * Stops what this bootstrap started when no server runs (a server's shutdown stops it all, in
     * its order): the {@code lab_settings} watch, discovery, documents, Hazelcast and the Consul
     * connection. For tests and embedding: an instance left watching would, for one, put back its
     * own last view of {@code lab_settings} when Consul loses it.
     */
    @Override
    public void close() {
        settingsSource.changeWatcher().ifPresent(watcher -> watcher.stop());
        closeResources();
    }

    private void closeResources() {
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (Exception e) {
                LOGGER.log(System.Logger.Level.DEBUG, "Closing " + resource + " failed: " + e.getMessage());
            }
        }
        // after the heartbeat, the deregistration and every watch: all of them used it
        client.close();
    }

    /**
     * A JSON document in Consul KV (logging's {@code cluster_nodes}), for read-modify-write with
     * check-and-set; closed when the server stops.
     *
     * @param key KV key
     * @return the KV document
     */
    public KvDocument document(String key) {
        KvDocument document = KvDocument.create(endpoint, key);
        resources.add(document);
        return document;
    }

    /**
     * The live set of passing instances of another service.
     *
     * @param serviceName Consul service name
     * @return instances, refreshed by a blocking query
     */
    public HealthyInstances discover(String serviceName) {
        HealthyInstances instances = HealthyInstances.create(endpoint, serviceName, reads,
                                                             Subset.create(config.get("consul.discovery")));
        resources.add(instances);
        discovered.add(instances);
        return instances;
    }

    private void waitForConsul(boolean failFast) {
        for (int attempt = 1; ; attempt++) {
            try {
                seedSettings();
                return;
            } catch (RuntimeException e) {
                if (failFast) {
                    throw new IllegalStateException("Consul at " + endpoint + " is not usable (fail-fast is on): "
                                                            + ConsulErrors.describe(e, endpoint), e);
                }
                LOGGER.log(System.Logger.Level.WARNING, "Waiting for Consul at " + endpoint + " (attempt " + attempt
                        + "): " + ConsulErrors.describe(e, endpoint));
                if (!Backoff.sleep(attempt)) {
                    throw new IllegalStateException("Interrupted while waiting for Consul", e);
                }
            }
        }
    }

    /*
     * Create-only (CAS index 0): concurrent first instances never overwrite each other or an
     * operator's edit. A least-privilege token (compose/acl) may not write lab_settings: seeding
     * is then the operator's step, and until it is done the instance runs on the defaults it
     * carries (the live watch takes the seed when it comes). Either way Consul answered.
     */
    private void seedSettings() {
        boolean created;
        try {
            created = client.put(LabSettings.KEY, defaultSettingsDocument(), 0);
        } catch (ConsulException e) {
            if (!e.denied()) {
                throw e;
            }
            readSettings();
            return;
        }
        if (created) {
            LOGGER.log(System.Logger.Level.INFO, "Seeded Consul KV " + LabSettings.KEY + " with the lab's defaults");
        }
    }

    private void readSettings() {
        String reading = "reading " + LabSettings.KEY;
        try {
            if (client.kv(LabSettings.KEY).isEmpty()) {
                LOGGER.log(System.Logger.Level.WARNING, LabSettings.KEY + " is not in Consul and this instance's token may"
                        + " not create it (key:write on \"" + LabSettings.KEY + "\"); running on the built-in defaults"
                        + " until an operator seeds it");
            }
            ConsulDenials.allowed(reading);
        } catch (ConsulException e) {
            ConsulDenials.denied(e, reading, "key:read on \"" + LabSettings.KEY + "\"");
            throw e;
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

    /**
     * Builds a {@link LabBootstrap}; building waits for Consul.
     */
    public static final class Builder implements io.helidon.common.Builder<Builder, LabBootstrap> {

        private String serviceName;
        private ConsulEndpoint endpoint = ConsulEndpoint.fromEnvironment();
        private boolean failFast;
        private Map<String, String> arguments = Map.of();

        private Builder() {
        }

        @Override
        public LabBootstrap build() {
            if (serviceName == null) {
                throw new IllegalStateException("serviceName is required");
            }
            return new LabBootstrap(this);
        }

        /**
         * Consul service name, e.g. {@code logging-service}.
         *
         * @param serviceName name
         * @return updated builder
         */
        public Builder serviceName(String serviceName) {
            this.serviceName = serviceName;
            return this;
        }

        /**
         * Agent to use; default from {@code CONSUL_HTTP_ADDR} and {@code CONSUL_HTTP_TOKEN}.
         *
         * @param endpoint agent
         * @return updated builder
         */
        public Builder endpoint(ConsulEndpoint endpoint) {
            this.endpoint = endpoint;
            return this;
        }

        /**
         * Fail at once when Consul is not usable at start, instead of waiting with back-off.
         *
         * @param failFast whether to fail fast
         * @return updated builder
         */
        public Builder failFast(boolean failFast) {
            this.failFast = failFast;
            return this;
        }

        /**
         * The command line: {@code --port N} (or {@code --port=N}; 0 picks a free port).
         *
         * @param args command line
         * @return updated builder
         */
        public Builder arguments(String... args) {
            if (!(CommandLine.parse(serviceName == null ? "service" : serviceName, args) instanceof CommandLine.Run run)) {
                throw new IllegalArgumentException("usage: [--port N] (0 picks a free port), not " + String.join(" ", args));
            }
            this.arguments = run.config();
            return this;
        }
    }
}
