package lab.testing;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import lab.consul.ConsulClients;
import lab.consul.ConsulConnection;
import lab.consul.ConsulEndpoint;
import lab.launcher.ConsulDevAgent;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real {@code consul agent -dev} on free ports, for tests, started as the launcher starts the
 * lab's ({@link ConsulDevAgent}). A missing binary fails the test with instructions; it never
 * skips it.
 */
public final class ConsulAgent implements AutoCloseable, BeforeAllCallback, AfterAllCallback {

    private final Path dataLog;
    private final int httpPort;
    private final List<String> extraArgs;
    private final String token;
    private Process process;
    private ConsulConnection client;

    private ConsulAgent(Path dataLog, int httpPort, List<String> extraArgs, String token) {
        this.dataLog = dataLog;
        this.httpPort = httpPort;
        this.extraArgs = extraArgs;
        this.token = token;
    }

    /**
     * Starts a dev agent and waits until it has a leader.
     *
     * @return running agent
     */
    public static ConsulAgent start() {
        return start(List.of());
    }

    /**
     * A dev agent for one test class, started before its tests and stopped after them:
     * {@code @RegisterExtension static final ConsulAgent agent = ConsulAgent.perClass();}
     *
     * @return agent, not started yet
     */
    public static ConsulAgent perClass() {
        return create(List.of(), null);
    }

    /**
     * As {@link #perClass()}, with ACLs on as {@link #startWithAcl(String)} has them.
     *
     * @param masterToken the bootstrap ("master") token, also the agent's own token
     * @return agent, not started yet
     */
    public static ConsulAgent perClassWithAcl(String masterToken) {
        return create(List.of("-config-file=" + aclConfig(masterToken)), masterToken);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        launch();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    /**
     * Starts a dev agent with extra arguments (e.g. {@code -config-file=acl.hcl}).
     *
     * @param extraArgs extra agent arguments
     * @return running agent
     */
    public static ConsulAgent start(List<String> extraArgs) {
        return start(extraArgs, null);
    }

    /**
     * Starts a dev agent with ACLs on, {@code default_policy = "deny"}: nothing works without a token.
     * The fixture's own calls and {@link #endpoint()} use {@code masterToken}.
     *
     * @param masterToken the bootstrap ("master") token, also the agent's own token
     * @return running agent
     */
    public static ConsulAgent startWithAcl(String masterToken) {
        return start(List.of("-config-file=" + aclConfig(masterToken)), masterToken);
    }

    private static Path aclConfig(String masterToken) {
        try {
            Path config = Files.createTempFile("consul-acl", ".hcl");
            Files.writeString(config, """
                    acl {
                      enabled = true
                      default_policy = "deny"
                      down_policy = "extend-cache"
                      tokens {
                        master = "%1$s"
                        agent = "%1$s"
                      }
                    }
                    """.formatted(masterToken));
            return config;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ConsulAgent start(List<String> extraArgs, String token) {
        ConsulAgent agent = create(extraArgs, token);
        agent.launch();
        return agent;
    }

    private static ConsulAgent create(List<String> extraArgs, String token) {
        try {
            return new ConsulAgent(Files.createTempFile("consul-agent", ".log"), FreePorts.next(), extraArgs, token);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Endpoint of this agent, with the master token when ACLs are on.
     *
     * @return endpoint
     */
    public ConsulEndpoint endpoint() {
        return token == null ? ConsulEndpoint.local(httpPort) : ConsulEndpoint.local(httpPort).withToken(token);
    }

    /**
     * An ecwid client of this agent (with its token, if any), closed with the agent.
     *
     * @return client
     */
    public synchronized ConsulConnection client() {
        if (client == null) {
            client = ConsulClients.create(endpoint());
        }
        return client;
    }

    /**
     * HTTP port.
     *
     * @return port
     */
    public int httpPort() {
        return httpPort;
    }

    /**
     * {@code 127.0.0.1:port}, as {@code CONSUL_HTTP_ADDR} wants it.
     *
     * @return address
     */
    public String address() {
        return "127.0.0.1:" + httpPort;
    }

    /**
     * Kills the agent (a {@code -dev} agent forgets everything) and starts it again on the same ports.
     */
    public void restart() {
        stop();
        launch();
    }

    /**
     * Stops the agent; it can be started again with {@link #restart()}.
     */
    public void stop() {
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * GET on the agent's HTTP API.
     *
     * @param path e.g. {@code /v1/health/service/x?passing}
     * @return response body
     */
    public String get(String path) {
        return ConsulDevAgent.get(uri(""), path, token);
    }

    /**
     * PUT on the agent's HTTP API.
     *
     * @param path e.g. {@code /v1/kv/lab_settings}
     * @param body request body
     * @return response body
     */
    public String put(String path, String body) {
        return ConsulDevAgent.put(uri(""), path, body, token);
    }

    /**
     * The agent's own output so far.
     *
     * @return log text
     */
    public String log() {
        try {
            return Files.readString(dataLog);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public synchronized void close() {
        if (client != null) {
            client.close();
            client = null;
        }
        stop();
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + httpPort + path);
    }

    private void launch() {
        ConsulDevAgent.Ports ports = new ConsulDevAgent.Ports(httpPort, FreePorts.next(), FreePorts.next(),
                                                              FreePorts.next(), FreePorts.next(), FreePorts.next());
        try {
            process = new ProcessBuilder(ConsulDevAgent.command("127.0.0.1", ports, extraArgs))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dataLog.toFile()))
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("Cannot start consul: " + e.getMessage(), e);
        }
        ConsulDevAgent.awaitLeader(uri(""), process.toHandle(), Duration.ofSeconds(20), this::log);
    }
}
