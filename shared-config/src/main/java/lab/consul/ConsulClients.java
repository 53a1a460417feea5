package lab.consul;

import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.ecwid.consul.v1.ConsulClient;
import com.ecwid.consul.v1.ConsulRawClient;
import org.apache.http.HttpRequestInterceptor;
import org.apache.http.client.config.RequestConfig;
import org.apache.http.config.RegistryBuilder;
import org.apache.http.conn.socket.ConnectionSocketFactory;
import org.apache.http.conn.socket.PlainConnectionSocketFactory;
import org.apache.http.conn.ssl.SSLConnectionSocketFactory;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.DefaultHttpRequestRetryHandler;
import org.apache.http.impl.client.HttpClientBuilder;
import org.apache.http.impl.conn.PoolingHttpClientConnectionManager;

/**
 * Builds ecwid {@link ConsulClient}s on an HTTP client of our own (a {@link ConsulConnection}, which
 * its owner closes): a small pool, timeouts that fit blocking queries, one retry for stale
 * keep-alive connections (quick calls only; a watch retries itself), TLS when the endpoint is
 * {@code https} (the CA, client certificate and key files are read when the pool is made), and
 * the ACL token only ever in the {@code X-Consul-Token} header.
 */
public final class ConsulClients {

    /*
     * Apache HttpClient's header and wire logs (commons-logging over JUL, at FINE) would print the
     * X-Consul-Token of every request as soon as someone turns debug logging on. Silenced here, and
     * held in static fields because JUL forgets the level of a logger nobody references.
     */
    private static final Logger HEADER_LOG = Logger.getLogger("org.apache.http.headers");
    private static final Logger WIRE_LOG = Logger.getLogger("org.apache.http.wire");

    static {
        HEADER_LOG.setLevel(Level.OFF);
        WIRE_LOG.setLevel(Level.OFF);
    }

    private ConsulClients() {
    }

    /**
     * A client for ordinary, quick calls (registration, heartbeats, KV reads and writes).
     *
     * @param endpoint agent to talk to
     * @return client
     */
    public static ConsulConnection create(ConsulEndpoint endpoint) {
        return create(endpoint, Duration.ofSeconds(5), 8, 1);
    }

    /**
     * A client for blocking queries: its read timeout outlasts the longest answer of the read mode
     * (its wait with both jitters), and it has its own pool so long polls never starve heartbeats.
     *
     * @param endpoint agent to talk to
     * @param reads    how its questions read
     * @return client
     */
    public static ConsulConnection forWatches(ConsulEndpoint endpoint, ReadMode reads) {
        // No retry by the HTTP client: a retried question would carry the index of an agent that may have
        // just restarted, and the new one would hold it for the whole wait. BlockingQuery handles the
        // error instead (index reset, back-off from 250 ms).
        return create(endpoint, reads.longestAnswer().plusSeconds(3), 8, 0);
    }

    private static ConsulConnection create(ConsulEndpoint endpoint, Duration readTimeout, int connections, int retries) {
        PoolingHttpClientConnectionManager pool = endpoint.tls()
                .map(tls -> new PoolingHttpClientConnectionManager(RegistryBuilder.<ConnectionSocketFactory>create()
                        .register("https", new SSLConnectionSocketFactory(tls.sslContext(), tls.hostnameVerifier()))
                        .build()))
                // plain HTTP only: the default registry's TLS factory would load the JDK's trust store
                // at start for nothing (a tenth of a second of a cold JVM)
                .orElseGet(() -> new PoolingHttpClientConnectionManager(RegistryBuilder.<ConnectionSocketFactory>create()
                        .register("http", PlainConnectionSocketFactory.getSocketFactory())
                        .build()));
        pool.setMaxTotal(connections);
        pool.setDefaultMaxPerRoute(connections);
        pool.setValidateAfterInactivity(2_000);
        RequestConfig timeouts = RequestConfig.custom()
                .setConnectTimeout(2_000)
                .setConnectionRequestTimeout(2_000)
                .setSocketTimeout(Math.toIntExact(readTimeout.toMillis()))
                .build();
        CloseableHttpClient http = HttpClientBuilder.create()
                .setConnectionManager(pool)
                .setDefaultRequestConfig(timeouts)
                .setRetryHandler(new DefaultHttpRequestRetryHandler(retries, true))
                .addInterceptorLast(tokenHeader(endpoint))
                .disableCookieManagement()
                .useSystemProperties()
                .build();
        ConsulRawClient raw = ConsulRawClient.Builder.builder()
                .setHost(endpoint.uri().getScheme() + "://" + endpoint.uri().getHost())
                .setPort(endpoint.uri().getPort())
                .setHttpClient(http)
                .build();
        return new ConsulConnection(raw, http);
    }

    /*
     * The ecwid client puts tokens into URLs (?token=), where proxies and its own FINEST logger
     * print them. So it is never given one: the token travels only in this header, asked for at
     * every request (a token file may have been rotated).
     */
    private static HttpRequestInterceptor tokenHeader(ConsulEndpoint endpoint) {
        return (request, context) -> {
            request.removeHeaders("X-Consul-Token");
            endpoint.token().current().ifPresent(token -> request.setHeader("X-Consul-Token", token));
        };
    }
}
