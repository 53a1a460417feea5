package lab.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import lab.consul.ConsulEndpoint;

/**
 * A real {@code consul agent -dev} on free ports, for tests. The binary is {@code $CONSUL_BIN},
 * {@code consul} on the PATH, or the copy {@code compose/install-consul.sh} puts in
 * {@code .tools/bin}. A missing binary fails the test with instructions; it never skips it.
 */
public final class ConsulAgent implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Path binary;
    private final Path dataLog;
    private final int httpPort;
    private final List<String> extraArgs;
    private final String token;
    private Process process;

    private ConsulAgent(Path binary, Path dataLog, int httpPort, List<String> extraArgs, String token) {
        this.binary = binary;
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
            return start(List.of("-config-file=" + config), masterToken);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ConsulAgent start(List<String> extraArgs, String token) {
        try {
            ConsulAgent agent = new ConsulAgent(binary(), Files.createTempFile("consul-agent", ".log"),
                                                FreePorts.next(), extraArgs, token);
            agent.launch();
            return agent;
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
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    /**
     * PUT on the agent's HTTP API.
     *
     * @param path e.g. {@code /v1/kv/lab_settings}
     * @param body request body
     * @return response body
     */
    public String put(String path, String body) {
        return send(HttpRequest.newBuilder(uri(path)).PUT(HttpRequest.BodyPublishers.ofString(body)));
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
    public void close() {
        stop();
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + httpPort + path);
    }

    private String send(HttpRequest.Builder request) {
        try {
            if (token != null) {
                request.header("X-Consul-Token", token);
            }
            HttpResponse<String> response = HTTP.send(request.timeout(Duration.ofSeconds(15)).build(),
                                                      HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() >= 300) {
                throw new IllegalStateException("Consul answered " + response.statusCode() + ": " + response.body());
            }
            return response.body();
        } catch (IOException e) {
            throw new IllegalStateException("Consul at " + httpPort + " not reachable: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void launch() {
        List<String> command = new ArrayList<>(List.of(
                binary.toString(), "agent", "-dev", "-bind=127.0.0.1", "-client=127.0.0.1",
                "-http-port=" + httpPort,
                "-dns-port=" + FreePorts.next(),
                "-serf-lan-port=" + FreePorts.next(),
                "-serf-wan-port=" + FreePorts.next(),
                "-server-port=" + FreePorts.next(),
                "-grpc-port=" + FreePorts.next()));
        command.addAll(extraArgs);
        try {
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dataLog.toFile()))
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("Cannot start " + binary + ": " + e.getMessage(), e);
        }
        Eventually.await(Duration.ofSeconds(20), () -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("consul exited with " + process.exitValue() + ":\n" + log());
            }
            return get("/v1/status/leader").length() > 4 ? Boolean.TRUE : null;
        }, () -> "consul agent on " + httpPort + " has a leader; its log:\n" + log());
    }

    private static Path binary() {
        Optional<Path> found = Stream.concat(
                        Stream.of(System.getenv("CONSUL_BIN")).filter(it -> it != null && !it.isBlank()).map(Path::of),
                        Stream.concat(pathEntries().map(dir -> dir.resolve("consul")),
                                      projectCopies()))
                .filter(Files::isExecutable)
                .findFirst();
        return found.orElseThrow(() -> new AssertionError(
                "No consul binary: these tests need a real Consul agent. Run compose/install-consul.sh "
                        + "(installs consul 1.8.7 into .tools/bin), or set CONSUL_BIN, or put consul on the PATH."));
    }

    private static Stream<Path> pathEntries() {
        String path = System.getenv("PATH");
        return path == null ? Stream.empty() : Stream.of(path.split(":")).filter(it -> !it.isBlank()).map(Path::of);
    }

    // Tests run in a module folder; the project copy lives in <repo>/.tools/bin.
    private static Stream<Path> projectCopies() {
        List<Path> candidates = new ArrayList<>();
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            candidates.add(dir.resolve(".tools/bin/consul"));
        }
        return candidates.stream();
    }
}
