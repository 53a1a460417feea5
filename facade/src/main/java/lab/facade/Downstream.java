package lab.facade;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

import io.helidon.common.socket.SocketOptions;
import io.helidon.common.tls.Tls;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.Proxy;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webclient.http1.Http1ClientRequest;
import io.opentelemetry.api.OpenTelemetry;
import lab.consul.discovery.Failover;
import lab.consul.discovery.HealthyInstances;
import lab.consul.discovery.Instance;
import lab.observability.ClientMetrics;
import lab.observability.ClientTracing;
import lab.runtime.Page;

/**
 * HTTP calls to one downstream service: a random passing instance per call, another one when an
 * attempt fails (connect error, timeout, unexpected status), each attempt traced with the instance
 * it chose. The one failure that is not the instance's, a pooled connection that went stale as it was
 * taken, is asked again of the same instance on a new connection.
 */
final class Downstream {

    private static final int MAX_ATTEMPTS = 3;

    private final Http1Client http;
    private final HealthyInstances instances;
    private final Failover failover;
    private final Supplier<String> path;

    private Downstream(Http1Client http, HealthyInstances instances, Supplier<String> path, OpenTelemetry telemetry) {
        this.http = http;
        this.instances = instances;
        this.failover = Failover.create(instances, MAX_ATTEMPTS, telemetry.getMeter("lab.facade"));
        this.path = path;
    }

    /**
     * Calls to a service's instances at the path the supplier names ({@code api-endpoints}, kept
     * from start-up by {@code LiveSettings} like the servers' own paths, so callers and servers agree).
     */
    static Downstream create(Http1Client http, HealthyInstances instances, Supplier<String> path, OpenTelemetry telemetry) {
        return new Downstream(http, instances, path, telemetry);
    }

    /**
     * The one HTTP client of a facade, shared by its calls to every downstream service (connection
     * reuse), each attempt traced and measured ({@code http.client.request.duration}).
     *
     * @param telemetry OpenTelemetry SDK
     * @return client
     */
    static Http1Client httpClient(OpenTelemetry telemetry) {
        // HTTP/1.1 named, not discovered: a generic WebClient request looks the protocol up per call and
        // copies itself into an HTTP/1.1 one. No proxy: an instance is called at the address it registered
        // (the default, the JVM's proxy selector, was asked once per request: 3% of a facade's CPU on GET).
        // TCP_NODELAY: a request body sent after its headers (a message over ~8 KB) must not wait for
        // the logging instance's delayed ACK (+40 ms), as the servers' answers do not (application.yaml).
        // TLS off: instances speak plain HTTP, and the default TLS would parse the JDK's trust store at
        // start and keep its ~150 certificates in the heap.
        return Http1Client.builder()
                .socketOptions(SocketOptions.builder().tcpNoDelay(true).build())
                .tls(Tls.builder().enabled(false).build())
                .connectTimeout(Duration.ofSeconds(1))
                .readTimeout(Duration.ofSeconds(5))
                .proxy(Proxy.noProxy())
                .addService(ClientTracing.create(telemetry))
                .addService(ClientMetrics.create(telemetry))
                .build();
    }

    /**
     * One exchange, retried on other instances while {@code handler} throws.
     *
     * @param method  HTTP method
     * @param entity  request body, or {@code null}
     * @param handler reads the response; throws to try another instance
     * @param <T>     result type
     * @return the handler's result
     * @throws Failover.UnavailableException when no instance gave a usable answer
     */
    <T> T exchange(Method method, Object entity, ResponseHandler<T> handler) {
        return failover.call((instance, resendCount) -> attempt(instance, resendCount, method, "", entity, handler));
    }

    /**
     * One page of the list the path answers with on {@code GET}, from any instance.
     *
     * @param limit  page size
     * @param cursor the service's cursor, empty for the first page
     * @return the page, or the instance's 400/410 about the cursor
     */
    ListPage page(int limit, Optional<String> cursor) {
        return failover.call((instance, resendCount) -> attempt(instance, resendCount, Method.GET, query(limit, cursor),
                                                                null, Downstream::listPage));
    }

    /**
     * One page from one instance: the one that issued {@code cursor}, since its list is its own.
     *
     * @param instanceId Consul id of the instance
     * @param limit      page size
     * @param cursor     the cursor it issued
     * @return the page, or the instance's 400/410 about the cursor
     * @throws InstanceGone when the instance is not passing
     */
    ListPage page(String instanceId, int limit, String cursor) {
        Instance instance = instances.all().stream().filter(it -> it.id().equals(instanceId)).findFirst()
                .orElseThrow(() -> new InstanceGone(instances.serviceName(), instanceId));
        return attempt(instance, 0, Method.GET, query(limit, Optional.of(cursor)), null, Downstream::listPage);
    }

    private <T> T attempt(Instance instance, int resendCount, Method method, String query, Object entity,
                          ResponseHandler<T> handler) {
        try {
            return send(instance, resendCount, method, query, entity, handler, true);
        } catch (RuntimeException e) {
            if (!pooledConnectionWentStale(e)) {
                throw e;
            }
            // The instance is fine; ask it again, on a new connection. The request may have reached it, so this
            // is a resend (a logging instance that stored the message then answers 409, which means "stored").
            return send(instance, resendCount + 1, method, query, entity, handler, false);
        }
    }

    private <T> T send(Instance instance, int resendCount, Method method, String query, Object entity,
                       ResponseHandler<T> handler, boolean pooled) {
        Http1ClientRequest request = http.method(method)
                .uri(instance.uri().resolve(path.get() + query))
                .keepAlive(pooled)
                .property(ClientTracing.INSTANCE_ID, instance.id())
                .property(ClientMetrics.PEER_SERVICE, instances.serviceName())
                .property(ClientTracing.RESEND_COUNT, String.valueOf(resendCount));
        try (HttpClientResponse response = entity == null ? request.request() : request.submit(entity)) {
            return handler.handle(instance, resendCount, response);
        }
    }

    /**
     * Helidon's WebClient watches each pooled connection with a read that gives up after the read timeout
     * of idleness; a connection taken from the pool in that moment fails its request with the watcher's
     * failure, a {@code RuntimeException} around an {@code ExecutionException} (helidon-io/helidon#10861,
     * #9012). The connections to every instance of a service idle alike, so after a pause each one can fail
     * at once: seen in the drills as a 503 with both logging instances up.
     */
    static boolean pooledConnectionWentStale(RuntimeException e) {
        return e.getClass() == RuntimeException.class && e.getCause() instanceof ExecutionException;
    }

    // Cursors are base64url: nothing in them needs encoding.
    private static String query(int limit, Optional<String> cursor) {
        return "?limit=" + limit + cursor.map(token -> "&cursor=" + token).orElse("");
    }

    // 400 and 410 are the instance's verdict on the cursor: another instance would say the same.
    private static ListPage listPage(Instance instance, int resendCount, HttpClientResponse response) {
        Status status = response.status();
        if (status == Status.OK_200) {
            return new ListPage(status, response.as(byte[].class),
                                response.headers().first(HeaderNames.LINK).flatMap(Page::nextCursor),
                                response.headers().first(Page.TOTAL_COUNT).map(Long::parseLong).orElse(0L));
        }
        if (status == Status.BAD_REQUEST_400 || status == Status.GONE_410) {
            return new ListPage(status, response.as(byte[].class), Optional.empty(), 0);
        }
        throw new UnexpectedStatus(instance, status);
    }

    /**
     * Reads one response.
     *
     * @param <T> result type
     */
    @FunctionalInterface
    interface ResponseHandler<T> {
        T handle(Instance instance, int resendCount, HttpClientResponse response);
    }

    /**
     * A page as a downstream instance answered it.
     *
     * @param status 200, or 400/410 when the instance refused the cursor
     * @param body   the JSON array (or, when refused, the JSON error) as it came
     * @param next   the next page's cursor
     * @param total  length of the whole list
     */
    record ListPage(Status status, byte[] body, Optional<String> next, long total) {
    }

    /**
     * An instance answered with a status the caller cannot use; another instance is tried.
     */
    static final class UnexpectedStatus extends RuntimeException {
        UnexpectedStatus(Instance instance, Status status) {
            super(instance.id() + " answered " + status.code());
        }
    }

    /**
     * The instance a cursor belongs to is not among the passing ones.
     */
    static final class InstanceGone extends RuntimeException {
        InstanceGone(String serviceName, String instanceId) {
            super("the " + serviceName + " instance " + instanceId + " that issued this cursor is no longer passing,"
                          + " and its messages went with it; start a new walk without the cursor");
        }
    }
}
