package lab.consul;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import lab.consul.access.ConsulTls;
import lab.consul.access.ConsulToken;

/**
 * Where Consul is and how to reach it, read the way the {@code consul} CLI reads it:
 * <ul>
 *     <li>{@code CONSUL_HTTP_ADDR}: {@code host:port} or a URL, default {@code 127.0.0.1:8500};
 *     {@code https://} (or {@code CONSUL_HTTP_SSL=true} with a bare {@code host:port}) speaks TLS,
 *     set up by {@link ConsulTls} ({@code CONSUL_CACERT}, {@code CONSUL_CLIENT_CERT},
 *     {@code CONSUL_CLIENT_KEY}, {@code CONSUL_TLS_SERVER_NAME}, {@code CONSUL_HTTP_SSL_VERIFY});</li>
 *     <li>{@code CONSUL_HTTP_TOKEN_FILE} (read again when it changes) or else
 *     {@code CONSUL_HTTP_TOKEN}: the ACL token, see {@link ConsulToken}.</li>
 * </ul>
 *
 * @param uri   base URI of the agent's HTTP API
 * @param token ACL token; never printed
 * @param tls   TLS settings, present for an {@code https} URI
 */
public record ConsulEndpoint(URI uri, ConsulToken token, Optional<ConsulTls> tls) {

    static final String DEFAULT_ADDRESS = "127.0.0.1:8500";

    /**
     * Checks that TLS settings come with an {@code https} address and only then.
     */
    public ConsulEndpoint {
        Objects.requireNonNull(token, "token");
        if (uri.getScheme().equals("https") != tls.isPresent()) {
            throw new IllegalArgumentException("TLS settings go with an https address: " + uri);
        }
    }

    /**
     * The endpoint named by the process environment.
     *
     * @return endpoint
     */
    public static ConsulEndpoint fromEnvironment() {
        return create(System.getenv());
    }

    /**
     * The endpoint named by the given environment.
     *
     * @param environment variables to read
     * @return endpoint
     */
    public static ConsulEndpoint create(Map<String, String> environment) {
        String address = Optional.ofNullable(environment.get("CONSUL_HTTP_ADDR"))
                .filter(it -> !it.isBlank())
                .orElse(DEFAULT_ADDRESS)
                .strip();
        if (!address.contains("://")) {
            boolean ssl = Optional.ofNullable(environment.get("CONSUL_HTTP_SSL")).map(String::strip)
                    .map(it -> it.equalsIgnoreCase("true") || it.equals("1")).orElse(false);
            address = (ssl ? "https://" : "http://") + address;
        }
        // As the CLI: the file, when it names one, wins over the variable.
        ConsulToken token = Optional.ofNullable(environment.get("CONSUL_HTTP_TOKEN_FILE"))
                .filter(it -> !it.isBlank())
                .map(file -> ConsulToken.fromFile(Path.of(file.strip())))
                .orElseGet(() -> ConsulToken.of(environment.get("CONSUL_HTTP_TOKEN")));
        URI uri = uri(address);
        return new ConsulEndpoint(uri, token, uri.getScheme().equals("https")
                ? Optional.of(ConsulTls.create(environment))
                : Optional.empty());
    }

    /**
     * A plain-HTTP endpoint at an address.
     *
     * @param address {@code host:port} or {@code http://host:port}
     * @param token   ACL token, if any
     * @return endpoint
     */
    public static ConsulEndpoint create(String address, Optional<String> token) {
        return new ConsulEndpoint(uri(address), ConsulToken.of(token.orElse(null)), Optional.empty());
    }

    /**
     * Endpoint for a local agent without ACLs.
     *
     * @param port agent HTTP port on 127.0.0.1
     * @return endpoint
     */
    public static ConsulEndpoint local(int port) {
        return new ConsulEndpoint(URI.create("http://127.0.0.1:" + port), ConsulToken.none(), Optional.empty());
    }

    /**
     * The same agent with another token.
     *
     * @param token ACL token
     * @return new endpoint
     */
    public ConsulEndpoint withToken(String token) {
        return withToken(ConsulToken.of(token));
    }

    /**
     * The same agent with another token.
     *
     * @param token ACL token
     * @return new endpoint
     */
    public ConsulEndpoint withToken(ConsulToken token) {
        return new ConsulEndpoint(uri, token, tls);
    }

    /**
     * Another agent (same scheme unless the address names one), with this token and TLS settings.
     *
     * @param address {@code host:port} or URL
     * @return new endpoint
     */
    public ConsulEndpoint withAddress(String address) {
        URI other = uri(address.contains("://") ? address : uri.getScheme() + "://" + address.strip());
        Optional<ConsulTls> otherTls = other.getScheme().equals("https")
                ? Optional.of(tls.orElseGet(() -> ConsulTls.create(System.getenv())))
                : Optional.empty();
        return new ConsulEndpoint(other, token, otherTls);
    }

    @Override
    public String toString() {
        return uri + (token.isSet() ? " (" + token + ")" : "");
    }

    private static URI uri(String address) {
        String trimmed = address.strip();
        URI uri = URI.create(trimmed.contains("://") ? trimmed : "http://" + trimmed);
        if (uri.getHost() == null || uri.getPort() < 0 || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                || !(uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/"))
                || uri.getRawQuery() != null) {
            throw new IllegalArgumentException("Consul address must be host:port, http://host:port or https://host:port, got: "
                                                       + address);
        }
        return uri;
    }
}
