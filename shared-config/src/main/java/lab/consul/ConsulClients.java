package lab.consul;

import java.time.Duration;

import io.helidon.common.tls.Tls;
import io.helidon.webclient.api.Proxy;
import io.helidon.webclient.http1.Http1Client;
import lab.consul.access.ConsulTls;

/**
 * Makes {@link ConsulConnection}s, each on a Helidon HTTP/1.1 client of its own (its owner closes
 * it): timeouts that fit the calls it makes, one retry for a stale keep-alive connection (quick
 * calls only; a watch retries itself), TLS when the endpoint is {@code https} (the CA, client
 * certificate and key files are read when the client is made), and the ACL token only ever in the
 * {@code X-Consul-Token} header.
 */
public final class ConsulClients {

    /*
     * Plain HTTP says so: a Helidon client's default TLS builds the JDK's default SSL context,
     * which parses the JDK's trust store (~150 certificates kept for the life of the process, 360
     * classes of TLS and X.509, a tenth of a second of a cold JVM) for an agent that never uses it.
     */
    private static final Tls PLAIN = Tls.builder().enabled(false).build();

    private ConsulClients() {
    }

    /**
     * A client for ordinary, quick calls (registration, heartbeats, KV reads and writes).
     *
     * @param endpoint agent to talk to
     * @return client
     */
    public static ConsulConnection create(ConsulEndpoint endpoint) {
        return create(endpoint, Duration.ofSeconds(5), 1);
    }

    /**
     * A client for blocking queries: its read timeout outlasts the longest answer of the read mode
     * (its wait with both jitters), and it has its own connections so long polls never hold up heartbeats.
     *
     * @param endpoint agent to talk to
     * @param reads    how its questions read
     * @return client
     */
    public static ConsulConnection forWatches(ConsulEndpoint endpoint, ReadMode reads) {
        // No retry: a retried question would carry the index of an agent that may have just restarted, and
        // the new one would hold it for the whole wait. BlockingQuery handles the error instead (index reset,
        // back-off from 250 ms).
        return create(endpoint, reads.longestAnswer().plusSeconds(3), 0);
    }

    private static ConsulConnection create(ConsulEndpoint endpoint, Duration readTimeout, int retries) {
        // No redirect followed: Helidon's client would turn a PUT into a GET (a registration that "worked") or
        // resend it with the token to wherever it points; a 3xx is an error, as it was with ecwid. No proxy (the
        // agent is local to the instance); no services found on the class path (a tracing service would trace
        // every heartbeat); a connection cache of its own, which close() empties.
        Http1Client http = Http1Client.builder()
                .baseUri(endpoint.uri())
                .followRedirects(false)
                .tls(endpoint.tls().map(ConsulTls::clientTls).orElse(PLAIN))
                .connectTimeout(Duration.ofSeconds(2))
                .readTimeout(readTimeout)
                .proxy(Proxy.noProxy())
                .servicesDiscoverServices(false)
                .shareConnectionCache(false)
                .build();
        return new ConsulConnection(http, endpoint.token(), retries);
    }
}
