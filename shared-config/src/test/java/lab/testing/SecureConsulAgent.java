package lab.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import lab.consul.ConsulClients;
import lab.consul.ConsulConnection;
import lab.consul.ConsulEndpoint;
import lab.consul.access.ConsulToken;
import lab.launcher.ConsulDevAgent;
import lab.launcher.Eventually;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real {@code consul agent -dev} locked down as the secure lab runs it: HTTPS only (the HTTP
 * port is off) with {@code verify_incoming_https} (clients show a certificate of its CA), ACLs on
 * with {@code default_policy = "deny"}. Its certificates are made at start by the real CLI
 * ({@code consul tls ca create}, {@code consul tls cert create}), with a second, unrelated CA and
 * client certificate for the tests that must fail.
 * <p>
 * {@code @RegisterExtension static final SecureConsulAgent agent = SecureConsulAgent.perClass();}
 */
public final class SecureConsulAgent implements AutoCloseable, BeforeAllCallback, AfterAllCallback {

    private final Path dir;
    private final int httpsPort;
    private final String masterToken = UUID.randomUUID().toString();
    private Process process;
    private ConsulConnection client;

    private SecureConsulAgent(Path dir, int httpsPort) {
        this.dir = dir;
        this.httpsPort = httpsPort;
    }

    /**
     * An agent for one test class, started before its tests and stopped after them.
     *
     * @return agent, not started yet
     */
    public static SecureConsulAgent perClass() {
        try {
            return new SecureConsulAgent(Files.createTempDirectory("consul-secure"), FreePorts.next());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
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
     * What the {@code consul} CLI and the lab's instances need to reach this agent, without a token:
     * {@code CONSUL_HTTP_ADDR} (https), {@code CONSUL_CACERT}, {@code CONSUL_CLIENT_CERT},
     * {@code CONSUL_CLIENT_KEY}.
     *
     * @return variables
     */
    public Map<String, String> environment() {
        return Map.of("CONSUL_HTTP_ADDR", "https://127.0.0.1:" + httpsPort,
                      "CONSUL_CACERT", file("ca").toString(),
                      "CONSUL_CLIENT_CERT", file("client-cert").toString(),
                      "CONSUL_CLIENT_KEY", file("client-key").toString());
    }

    /**
     * A certificate or key file: {@code ca}, {@code client-cert}, {@code client-key}, and from the
     * unrelated CA {@code other-ca}, {@code other-client-cert}, {@code other-client-key}.
     *
     * @param name which
     * @return path
     */
    public Path file(String name) {
        return switch (name) {
            case "ca" -> dir.resolve("ca/consul-agent-ca.pem");
            case "client-cert" -> dir.resolve("ca/dc1-client-consul-0.pem");
            case "client-key" -> dir.resolve("ca/dc1-client-consul-0-key.pem");
            case "other-ca" -> dir.resolve("other/consul-agent-ca.pem");
            case "other-client-cert" -> dir.resolve("other/dc1-client-consul-0.pem");
            case "other-client-key" -> dir.resolve("other/dc1-client-consul-0-key.pem");
            default -> throw new IllegalArgumentException(name);
        };
    }

    /**
     * The bootstrap ("master") token.
     *
     * @return token
     */
    public String masterToken() {
        return masterToken;
    }

    /**
     * This agent as the lab reads it from an environment: {@link #environment()} with changes.
     *
     * @param changes variables to add, replace, or (with a null value) remove
     * @return endpoint
     */
    public ConsulEndpoint endpoint(Map<String, String> changes) {
        Map<String, String> environment = new HashMap<>(environment());
        changes.forEach((name, value) -> {
            if (value == null) {
                environment.remove(name);
            } else {
                environment.put(name, value);
            }
        });
        return ConsulEndpoint.create(environment);
    }

    /**
     * An ecwid client with the master token, closed with the agent.
     *
     * @return client
     */
    public synchronized ConsulConnection client() {
        if (client == null) {
            client = ConsulClients.create(endpoint(Map.of()).withToken(ConsulToken.of(masterToken)));
        }
        return client;
    }

    /**
     * Runs the real {@code consul} CLI against this agent with the master token.
     *
     * @param args e.g. {@code acl}, {@code policy}, {@code create}, ...
     * @return its output
     */
    public String cli(String... args) {
        return cli(Map.of("CONSUL_HTTP_TOKEN", masterToken), args);
    }

    /**
     * Runs the real {@code consul} CLI against this agent.
     *
     * @param environment more variables (a token, ...)
     * @param args        arguments
     * @return its output
     */
    public String cli(Map<String, String> environment, String... args) {
        List<String> command = new ArrayList<>(List.of(ConsulDevAgent.binary().toString()));
        command.addAll(List.of(args));
        Map<String, String> all = new HashMap<>(environment());
        all.putAll(environment);
        return run(dir, command, all);
    }

    /**
     * Runs a script of the project's (such as {@code compose/acl/tokens.sh}) against this agent,
     * with the master token and {@code CONSUL_BIN} set, as an operator would.
     *
     * @param script the script
     * @param args   its arguments
     * @return its output; a non-zero exit fails with the output
     */
    public String script(Path script, String... args) {
        List<String> command = new ArrayList<>(List.of(script.toString()));
        command.addAll(List.of(args));
        Map<String, String> all = new HashMap<>(environment());
        all.put("CONSUL_HTTP_TOKEN", masterToken);
        all.put("CONSUL_BIN", ConsulDevAgent.binary().toString());
        return run(dir, command, all);
    }

    /**
     * The agent's own output so far.
     *
     * @return log text
     */
    public String log() {
        try {
            return Files.readString(dir.resolve("agent.log"));
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

    private void launch() {
        certificates(dir.resolve("ca"));
        certificates(dir.resolve("other"));
        Path config = dir.resolve("secure.hcl");
        try {
            Files.writeString(config, """
                    ports {
                      https = %1$d
                    }
                    ca_file = "%2$s"
                    cert_file = "%3$s"
                    key_file = "%4$s"
                    verify_incoming_https = true
                    acl {
                      enabled = true
                      default_policy = "deny"
                      down_policy = "extend-cache"
                      tokens {
                        master = "%5$s"
                        agent = "%5$s"
                      }
                    }
                    """.formatted(httpsPort, file("ca"), dir.resolve("ca/dc1-server-consul-0.pem"),
                                  dir.resolve("ca/dc1-server-consul-0-key.pem"), masterToken));
            ConsulDevAgent.Ports ports = new ConsulDevAgent.Ports(-1, FreePorts.next(), FreePorts.next(),
                                                                  FreePorts.next(), FreePorts.next(), FreePorts.next());
            process = new ProcessBuilder(ConsulDevAgent.command("127.0.0.1", ports, List.of("-config-file=" + config)))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("agent.log").toFile()))
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("Cannot start consul: " + e.getMessage(), e);
        }
        Eventually.await(Duration.ofSeconds(20), () -> {
            if (!process.isAlive()) {
                throw new Eventually.GiveUp("consul exited:\n" + log());
            }
            try {
                return client().leader().isEmpty() ? null : Boolean.TRUE;
            } catch (RuntimeException e) {
                return null;
            }
        }, () -> "the TLS agent at 127.0.0.1:" + httpsPort + " has a leader; its log:\n" + log());
    }

    // A CA, a server certificate and a client certificate, made by the real CLI in a directory of their own.
    private static void certificates(Path directory) {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        String consul = ConsulDevAgent.binary().toString();
        run(directory, List.of(consul, "tls", "ca", "create"), Map.of());
        // a wildcard name too, for CONSUL_TLS_SERVER_NAME's check of one (ConsulTlsTest)
        run(directory, List.of(consul, "tls", "cert", "create", "-server", "-dc", "dc1",
                               "-additional-dnsname=*.agents.lab.test"), Map.of());
        run(directory, List.of(consul, "tls", "cert", "create", "-client", "-dc", "dc1"), Map.of());
    }

    private static String run(Path directory, List<String> command, Map<String, String> environment) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true);
            builder.environment().putAll(environment);
            Process cli = builder.start();
            String output = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!cli.waitFor(60, TimeUnit.SECONDS) || cli.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command.subList(0, Math.min(4, command.size())))
                                                        + " failed: " + output);
            }
            return output;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
