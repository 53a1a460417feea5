package lab.launcher;

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
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * How the lab runs a real {@code consul agent -dev}: which binary, which command line, when it is
 * ready. {@code compose/local.sh} and the tests' agents both start it this way.
 */
public final class ConsulDevAgent {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private ConsulDevAgent() {
    }

    /**
     * Ports of one agent.
     *
     * @param http HTTP API (and UI)
     * @param dns  DNS
     * @param serfLan serf LAN gossip
     * @param serfWan serf WAN gossip
     * @param server  server RPC
     * @param grpc    gRPC (xDS)
     */
    public record Ports(int http, int dns, int serfLan, int serfWan, int server, int grpc) {

        /**
         * Consul's own defaults: 8500, 8600, 8301, 8302, 8300, 8502.
         *
         * @return default ports
         */
        public static Ports defaults() {
            return new Ports(8500, 8600, 8301, 8302, 8300, 8502);
        }

        /**
         * Every port, e.g. to check that they are free.
         *
         * @return ports
         */
        public List<Integer> all() {
            return List.of(http, dns, serfLan, serfWan, server, grpc);
        }
    }

    /**
     * The {@code consul} binary: {@code $CONSUL_BIN}, {@code consul} on the PATH, or the copy
     * {@code compose/install-consul.sh} puts in {@code .tools/bin} of this or a parent folder.
     *
     * @return path of an executable
     * @throws IllegalStateException with instructions when there is none
     */
    public static Path binary() {
        Optional<Path> found = Stream.concat(
                        Stream.of(System.getenv("CONSUL_BIN")).filter(it -> it != null && !it.isBlank()).map(Path::of),
                        Stream.concat(pathEntries().map(dir -> dir.resolve("consul")), projectCopies()))
                .filter(Files::isExecutable)
                .findFirst();
        return found.orElseThrow(() -> new IllegalStateException(
                "No consul binary: the lab needs a real Consul agent. Run compose/install-consul.sh "
                        + "(installs consul 1.8.7 into .tools/bin), or set CONSUL_BIN, or put consul on the PATH."));
    }

    /**
     * The command line of a dev agent (a single server, in memory, with the UI) on one address.
     *
     * @param host      address it binds and serves on, e.g. {@code 127.0.0.1}
     * @param ports     its ports
     * @param extraArgs more arguments, e.g. {@code -config-file=acl.hcl}
     * @return command line
     */
    public static List<String> command(String host, Ports ports, List<String> extraArgs) {
        List<String> command = new ArrayList<>(List.of(
                binary().toString(), "agent", "-dev", "-ui", "-bind=" + host, "-client=" + host,
                "-http-port=" + ports.http(),
                "-dns-port=" + ports.dns(),
                "-serf-lan-port=" + ports.serfLan(),
                "-serf-wan-port=" + ports.serfWan(),
                "-server-port=" + ports.server(),
                "-grpc-port=" + ports.grpc()));
        command.addAll(extraArgs);
        return command;
    }

    /**
     * Waits until the agent answers with a leader; fails early if its process ends.
     *
     * @param http    the agent's HTTP address, e.g. {@code http://127.0.0.1:8500}
     * @param process the agent's process
     * @param timeout how long to wait
     * @param log     the agent's log, for the failure message
     */
    public static void awaitLeader(URI http, ProcessHandle process, Duration timeout, Supplier<String> log) {
        Eventually.await(timeout, () -> {
            if (!process.isAlive()) {
                throw new Eventually.GiveUp("consul exited:\n" + log.get());
            }
            return get(http, "/v1/status/leader", null).length() > 4 ? Boolean.TRUE : null;
        }, () -> "consul agent at " + http + " has a leader; its log:\n" + log.get());
    }

    /**
     * GET on an agent's HTTP API.
     *
     * @param http  the agent's HTTP address
     * @param path  e.g. {@code /v1/health/service/x?passing}
     * @param token ACL token sent in {@code X-Consul-Token}, or null
     * @return response body
     * @throws IllegalStateException if the agent does not answer, or answers with an error
     */
    public static String get(URI http, String path, String token) {
        return send(http, HttpRequest.newBuilder(http.resolve(path)).GET(), token);
    }

    /**
     * PUT on an agent's HTTP API.
     *
     * @param http  the agent's HTTP address
     * @param path  e.g. {@code /v1/kv/lab_settings}
     * @param body  request body
     * @param token ACL token sent in {@code X-Consul-Token}, or null
     * @return response body
     */
    public static String put(URI http, String path, String body, String token) {
        return send(http, HttpRequest.newBuilder(http.resolve(path)).PUT(HttpRequest.BodyPublishers.ofString(body)), token);
    }

    private static String send(URI http, HttpRequest.Builder request, String token) {
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
            throw new IllegalStateException("Consul at " + http + " not reachable: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Stream<Path> pathEntries() {
        String path = System.getenv("PATH");
        return path == null ? Stream.empty() : Stream.of(path.split(":")).filter(it -> !it.isBlank()).map(Path::of);
    }

    // Tests run in a module folder, local.sh at the root; the project copy lives in <repo>/.tools/bin.
    private static Stream<Path> projectCopies() {
        List<Path> candidates = new ArrayList<>();
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            candidates.add(dir.resolve(".tools/bin/consul"));
        }
        return candidates.stream();
    }
}
