package lab.consul;

import java.net.URI;
import java.util.Map;
import java.util.Optional;

/**
 * Where Consul is and how to authenticate to it, read the way the {@code consul} CLI reads it:
 * {@code CONSUL_HTTP_ADDR} ({@code host:port} or a URL, default {@code 127.0.0.1:8500}) and
 * {@code CONSUL_HTTP_TOKEN}.
 *
 * @param uri   base URI of the agent's HTTP API
 * @param token ACL token, empty when ACLs are off; never printed
 */
public record ConsulEndpoint(URI uri, Optional<String> token) {

    static final String DEFAULT_ADDRESS = "127.0.0.1:8500";

    /**
     * The endpoint named by the process environment.
     *
     * @return endpoint from {@code CONSUL_HTTP_ADDR} and {@code CONSUL_HTTP_TOKEN}
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
                .orElse(DEFAULT_ADDRESS);
        Optional<String> token = Optional.ofNullable(environment.get("CONSUL_HTTP_TOKEN")).filter(it -> !it.isBlank());
        return create(address, token);
    }

    /**
     * The endpoint at an address.
     *
     * @param address {@code host:port} or {@code http(s)://host:port}
     * @param token   ACL token, if any
     * @return endpoint
     */
    public static ConsulEndpoint create(String address, Optional<String> token) {
        String trimmed = address.trim();
        URI uri = URI.create(trimmed.contains("://") ? trimmed : "http://" + trimmed);
        if (uri.getHost() == null || uri.getPort() < 0) {
            throw new IllegalArgumentException("Consul address must be host:port or http://host:port, got: " + address);
        }
        return new ConsulEndpoint(uri, token);
    }

    /**
     * Endpoint for a local agent without ACLs.
     *
     * @param port agent HTTP port on 127.0.0.1
     * @return endpoint
     */
    public static ConsulEndpoint local(int port) {
        return new ConsulEndpoint(URI.create("http://127.0.0.1:" + port), Optional.empty());
    }

    /**
     * The same agent with another token.
     *
     * @param token ACL token
     * @return new endpoint
     */
    public ConsulEndpoint withToken(String token) {
        return new ConsulEndpoint(uri, Optional.of(token));
    }

    @Override
    public String toString() {
        return uri + (token.isPresent() ? " (token ****)" : "");
    }
}
