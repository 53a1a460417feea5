package lab.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The Consul side of the secure lab ({@code local.sh up --secure}): a dev agent that speaks HTTPS
 * only (port {@value #HTTPS_PORT}; the HTTP port is off) and asks every client for a certificate
 * of its CA, with ACLs on and {@code default_policy = "deny"}; certificates made by the real CLI
 * ({@code consul tls ca create}, {@code consul tls cert create}), a token per service from the
 * policies of {@code compose/acl} ({@code tokens.sh}), {@code lab_settings} seeded with the
 * operator's token. Everything lives in {@code compose/.run/secure} (keys and tokens mode 600)
 * and is forgotten by {@code down}: a dev agent forgets its tokens when it stops.
 * <p>
 * The launcher asks this agent through the {@code consul} CLI, which reads the same
 * {@code CONSUL_*} variables as the instances: it needs no TLS code of its own.
 */
final class SecureConsul {

    static final int HTTPS_PORT = 8501;

    private final Path home;
    private final Path dir;

    private SecureConsul(Path home, Path dir) {
        this.home = home;
        this.dir = dir;
    }

    static SecureConsul create(Path home, Path run) {
        return new SecureConsul(home, run.resolve("secure"));
    }

    /**
     * Certificates, the master token and the agent's config; its command line.
     *
     * @param host  address it binds
     * @param ports its other ports (HTTP is turned off)
     * @return command line
     */
    List<String> prepareAgent(String host, ConsulDevAgent.Ports ports) {
        forget();
        Path tls = dir.resolve("tls");
        mkdirs(tls);
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        cli(tls, Map.of(), "tls", "ca", "create");
        cli(tls, Map.of(), "tls", "cert", "create", "-server", "-dc", "dc1");
        cli(tls, Map.of(), "tls", "cert", "create", "-client", "-dc", "dc1");
        String master = UUID.randomUUID().toString();
        write(dir.resolve("master.token"), master);
        Path config = dir.resolve("agent.hcl");
        write(config, """
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
                """.formatted(HTTPS_PORT, tls.resolve("consul-agent-ca.pem"), tls.resolve("dc1-server-consul-0.pem"),
                              tls.resolve("dc1-server-consul-0-key.pem"), master));
        ConsulDevAgent.Ports noHttp = new ConsulDevAgent.Ports(-1, ports.dns(), ports.serfLan(), ports.serfWan(),
                                                               ports.server(), ports.grpc());
        return ConsulDevAgent.command(host, noHttp, List.of("-config-file=" + config));
    }

    /**
     * How the CLI and the instances reach the agent, without a token.
     *
     * @return {@code CONSUL_HTTP_ADDR}, {@code CONSUL_CACERT}, {@code CONSUL_CLIENT_CERT}, {@code CONSUL_CLIENT_KEY}
     */
    Map<String, String> environment() {
        Path tls = dir.resolve("tls");
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("CONSUL_HTTP_ADDR", "https://127.0.0.1:" + HTTPS_PORT);
        environment.put("CONSUL_CACERT", tls.resolve("consul-agent-ca.pem").toString());
        environment.put("CONSUL_CLIENT_CERT", tls.resolve("dc1-client-consul-0.pem").toString());
        environment.put("CONSUL_CLIENT_KEY", tls.resolve("dc1-client-consul-0-key.pem").toString());
        return environment;
    }

    /**
     * A service's token file.
     *
     * @param policy {@code facade}, {@code logging}, {@code messages} or {@code lab-operator}
     * @return path
     */
    Path token(String policy) {
        return dir.resolve("tokens/" + policy + ".token");
    }

    /**
     * Waits until the agent answers over TLS and has a leader.
     */
    void awaitLeader(ProcessHandle agent, Duration timeout, Supplier<String> log) {
        Eventually.await(timeout, () -> {
            if (!agent.isAlive()) {
                throw new Eventually.GiveUp("consul exited:\n" + log.get());
            }
            try {
                return asMaster("operator", "raft", "list-peers").contains("leader") ? Boolean.TRUE : null;
            } catch (IllegalStateException e) {
                return null;
            }
        }, () -> "consul agent at https://127.0.0.1:" + HTTPS_PORT + " has a leader; its log:\n" + log.get());
    }

    /**
     * A policy and a token per file of {@code compose/acl}, by {@code compose/acl/tokens.sh}.
     *
     * @return what it printed (accessors, never secrets)
     */
    String createTokens() {
        Map<String, String> environment = new LinkedHashMap<>(masterEnvironment());
        environment.put("CONSUL_BIN", ConsulDevAgent.binary().toString());
        return run(home, environment, List.of(home.resolve("compose/acl/tokens.sh").toString(), "create",
                                              dir.resolve("tokens").toString()));
    }

    /**
     * Writes {@code lab_settings} with the operator's token.
     *
     * @param json the document
     */
    void seed(String json) {
        Path file = dir.resolve("lab_settings.json");
        write(file, json);
        cli(dir, Map.of("CONSUL_HTTP_TOKEN_FILE", token("lab-operator").toString()), "kv", "put", "lab_settings", "@" + file);
    }

    /**
     * What {@code /v1/health/service/NAME} answers, asked through the CLI.
     *
     * @param service      Consul service name
     * @param passingOnly  only passing instances
     * @return JSON
     */
    String health(String service, boolean passingOnly) {
        List<String> args = new ArrayList<>(List.of("watch", "-type=service", "-service=" + service));
        if (passingOnly) {
            args.add("-passingonly=true");
        }
        return asMaster(args.toArray(String[]::new));
    }

    /**
     * Deletes certificates, keys and tokens.
     */
    void forget() {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String asMaster(String... args) {
        return cli(dir, Map.of("CONSUL_HTTP_TOKEN_FILE", dir.resolve("master.token").toString()), args);
    }

    private Map<String, String> masterEnvironment() {
        Map<String, String> environment = new LinkedHashMap<>(environment());
        environment.put("CONSUL_HTTP_TOKEN_FILE", dir.resolve("master.token").toString());
        return environment;
    }

    private String cli(Path directory, Map<String, String> extra, String... args) {
        Map<String, String> environment = new LinkedHashMap<>(environment());
        environment.putAll(extra);
        List<String> command = new ArrayList<>(List.of(ConsulDevAgent.binary().toString()));
        command.addAll(List.of(args));
        return run(directory, environment, command);
    }

    private static String run(Path directory, Map<String, String> environment, List<String> command) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true);
            builder.environment().keySet().removeIf(name -> name.startsWith("CONSUL_HTTP_TOKEN"));
            builder.environment().putAll(environment);
            Process process = builder.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command.subList(0, Math.min(4, command.size()))) + " failed: "
                                                        + output.strip());
            }
            return output;
        } catch (IOException e) {
            throw new IllegalStateException(command.getFirst() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }

    private static void mkdirs(Path directory) {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // Owner only: keys and tokens.
    private static void write(Path file, String content) {
        try {
            mkdirs(file.getParent());
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
