package lab.consul;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

import javax.net.ssl.SSLException;

import io.helidon.common.buffers.DataReader;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.json.JsonObject;
import io.helidon.json.JsonValue;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webclient.http1.Http1ClientRequest;
import lab.consul.access.ConsulToken;
import lab.json.Json;

/**
 * The lab's Consul client: the few endpoints of Consul's HTTP API the lab calls (KV, the agent's
 * services and TTL checks, the health of a service, the leader), on a Helidon HTTP/1.1 client with
 * a connection pool of its own, which {@link #close()} releases. {@link ConsulClients} makes them.
 * <p>
 * The ACL token travels only in the {@code X-Consul-Token} header, read from the endpoint's
 * {@link ConsulToken} at every request (a token file may have been rotated). An answer other than
 * 2xx throws a {@link ConsulException}; a read of a key or a service Consul does not have is empty.
 */
public final class ConsulConnection implements AutoCloseable {

    private static final HeaderName TOKEN = HeaderNames.create("X-Consul-Token");
    private static final HeaderName INDEX = HeaderNames.create("X-Consul-Index");
    private static final HeaderName LAST_CONTACT = HeaderNames.create("X-Consul-LastContact");
    private static final Pattern SAFE_SEGMENT = Pattern.compile("[A-Za-z0-9_.:\\-]+");

    private final Http1Client http;
    private final ConsulToken token;
    private final int retries;

    ConsulConnection(Http1Client http, ConsulToken token, int retries) {
        this.http = http;
        this.token = token;
        this.retries = retries;
    }

    /**
     * One key.
     *
     * @param key KV key
     * @return the key, empty when Consul has no such key
     */
    public Optional<KvEntry> kv(String key) {
        return kv(key, Query.NONE).value();
    }

    /**
     * One key, as a blocking query asks for it.
     *
     * @param key   KV key
     * @param query index, wait, consistency
     * @return the key (empty when missing) and the index to ask again with
     */
    public Answer<Optional<KvEntry>> kv(String key, Query query) {
        return read("/v1/kv/" + key, query, body -> entries(body).stream().findFirst(), Optional.empty());
    }

    /**
     * The text of one key.
     *
     * @param key KV key
     * @return its value, empty when the key is missing or has none
     */
    public Optional<String> text(String key) {
        return kv(key).flatMap(KvEntry::value);
    }

    /**
     * Every key under a prefix.
     *
     * @param prefix KV prefix
     * @return the keys, in Consul's order (sorted), empty when there are none
     */
    public List<KvEntry> kvTree(String prefix) {
        return kvTree(prefix, Query.NONE).value();
    }

    /**
     * Every key under a prefix, as a blocking query asks for them.
     *
     * @param prefix KV prefix
     * @param query  index, wait, consistency
     * @return the keys and the index to ask again with
     */
    public Answer<List<KvEntry>> kvTree(String prefix, Query query) {
        return read("/v1/kv/" + prefix, query.with("recurse"), ConsulConnection::entries, List.of());
    }

    /**
     * Writes a key.
     *
     * @param key   KV key
     * @param value its text
     * @return whether Consul took it
     */
    public boolean put(String key, String value) {
        return put(key, value, Query.NONE);
    }

    /**
     * Writes a key unless it changed since it was read (check-and-set).
     *
     * @param key   KV key
     * @param value its text
     * @param cas   the {@link KvEntry#modifyIndex()} it was read at; 0 writes only a key that does not exist yet
     * @return whether Consul took it (false: another writer was first)
     */
    public boolean put(String key, String value, long cas) {
        return put(key, value, Query.NONE.with("cas", cas));
    }

    /**
     * Registers a service instance with the agent.
     *
     * @param service Consul's service definition ({@code ID}, {@code Name}, {@code Check}, ...)
     */
    public void register(JsonObject service) {
        send(Method.PUT, "/v1/agent/service/register", Query.NONE, Json.bytes(service));
    }

    /**
     * Deregisters a service instance from the agent.
     *
     * @param serviceId its id
     */
    public void deregister(String serviceId) {
        send(Method.PUT, "/v1/agent/service/deregister/" + segment(serviceId), Query.NONE, null);
    }

    /**
     * Sets a TTL check's status: the heartbeat.
     *
     * @param checkId check id ({@code service:ID} for a service's own check)
     * @param status  {@code passing}, {@code warning} or {@code critical}
     * @param output  why, shown as the check's output
     */
    public void updateTtl(String checkId, String status, String output) {
        JsonObject update = JsonObject.builder().set("Status", status).set("Output", output).build();
        send(Method.PUT, "/v1/agent/check/update/" + segment(checkId), Query.NONE, Json.bytes(update));
    }

    /**
     * The instances of a service with their node and checks: {@code /v1/health/service/NAME}.
     *
     * @param service service name
     * @param query   {@code passing}, {@code tag}, {@code filter}, {@code cached}, index, wait, consistency
     * @return Consul's entries ({@code Node}, {@code Service}, {@code Checks}) and the index to ask again with
     */
    public Answer<List<JsonObject>> health(String service, Query query) {
        return read("/v1/health/service/" + segment(service), query,
                    body -> Json.array(body).values().stream().map(JsonValue::asObject).toList(), List.of());
    }

    /**
     * The address of the cluster's leader.
     *
     * @return {@code host:port}, empty while there is none
     */
    public String leader() {
        // a JSON string, e.g. "127.0.0.1:8300"
        return new String(send(Method.GET, "/v1/status/leader", Query.NONE, null).body(), StandardCharsets.UTF_8)
                .strip().replace("\"", "");
    }

    /**
     * Closes the pool's connections; calls made after this fail.
     */
    @Override
    public void close() {
        http.closeResource();
    }

    private boolean put(String key, String value, Query query) {
        Reply reply = send(Method.PUT, "/v1/kv/" + key, query, value.getBytes(StandardCharsets.UTF_8));
        return new String(reply.body(), StandardCharsets.UTF_8).strip().equals("true");
    }

    // A 404 is an answer for a read: no such key (or service), with an index to wait on.
    private <T> Answer<T> read(String path, Query query, Function<byte[], T> parse, T missing) {
        Reply reply = send(Method.GET, path, query, null);
        return new Answer<>(reply.status() == 404 ? missing : parse.apply(reply.body()), reply.index(), reply.lastContact());
    }

    // Names that go into the URL's path as they are (KV keys are checked by ConsulKey).
    private static String segment(String name) {
        if (!SAFE_SEGMENT.matcher(name).matches()) {
            throw new IllegalArgumentException("Consul service and check ids must be letters, digits, '_', '.', '-', ':': "
                                                       + name);
        }
        return name;
    }

    /*
     * Quick calls are tried once more when a pooled connection turned out stale (helidon-io/helidon#10861,
     * or closed by the agent while idle). The request may have reached Consul: registrations and check
     * updates are idempotent, but a check-and-set write that went through and is sent again answers false,
     * as if another writer had won (KvDocument then reads its own change back and reports nothing written;
     * Apache HttpClient's retry did the same). A blocking query is not retried here: BlockingQuery resets
     * its index and backs off instead.
     */
    private Reply send(Method method, String path, Query query, byte[] body) {
        for (int attempt = 0; ; attempt++) {
            try {
                return sendOnce(method, path, query, body);
            } catch (RuntimeException e) {
                if (attempt >= retries || !staleConnection(e)) {
                    throw e;
                }
            }
        }
    }

    /**
     * Whether a call failed the way a stale pooled connection fails: Helidon's watcher of idle connections
     * (a {@code RuntimeException} around an {@code ExecutionException}), a connection the agent closed (an
     * I/O error, data that ended early). Not a refused or unresolved address, a timeout, TLS, an answer, or
     * an interrupted thread (a heartbeat being stopped).
     */
    static boolean staleConnection(RuntimeException e) {
        if (Thread.currentThread().isInterrupted()) {
            return false;
        }
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConnectException || cause instanceof UnknownHostException
                    || cause instanceof SocketTimeoutException || cause instanceof SSLException
                    || cause instanceof InterruptedException) {
                return false;
            }
        }
        return e instanceof UncheckedIOException
                || e instanceof DataReader.InsufficientDataAvailableException
                || (e.getClass() == RuntimeException.class && e.getCause() instanceof ExecutionException);
    }

    private Reply sendOnce(Method method, String path, Query query, byte[] body) {
        Http1ClientRequest request = http.method(method).path(path);
        // a flag goes as "name=", which Consul takes as the flag (a name without a value is not sent at all)
        query.params().forEach(request::queryParam);
        token.current().ifPresent(value -> request.header(TOKEN, value));
        if (method == Method.GET) {
            // A service's health is ~2.5 KB of JSON per instance, a tenth of it gzipped: what Consul sends every
            // watcher at every change (docs/scale.md). Helidon's client hands over the gzipped bytes as they came.
            request.header(HeaderNames.ACCEPT_ENCODING, "gzip");
        }
        try (HttpClientResponse response = body == null ? request.request() : request.submit(body)) {
            int status = response.status().code();
            byte[] content = response.entity().hasEntity() ? response.as(byte[].class) : new byte[0];
            if (response.headers().first(HeaderNames.CONTENT_ENCODING).filter("gzip"::equalsIgnoreCase).isPresent()) {
                content = gunzip(content);
            }
            // a GET's 404 is read()'s answer (no such key or service); leader() asks for what always exists
            if (status / 100 != 2 && !(status == 404 && method == Method.GET)) {
                throw new ConsulException(status, new String(content, StandardCharsets.UTF_8));
            }
            return new Reply(status, content, header(response, INDEX), header(response, LAST_CONTACT));
        }
    }

    private static byte[] gunzip(byte[] gzipped) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("Consul's gzipped answer does not unzip", e);
        }
    }

    // Consul's numeric headers; one that is not a number is taken as missing.
    private static long header(HttpClientResponse response, HeaderName name) {
        try {
            return response.headers().first(name).map(Long::parseLong).orElse(0L);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static List<KvEntry> entries(byte[] body) {
        return Json.array(body).values().stream().map(JsonValue::asObject).map(ConsulConnection::entry).toList();
    }

    private static KvEntry entry(JsonObject entry) {
        Optional<String> value = Json.text(entry, "Value")
                .map(base64 -> new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8));
        return new KvEntry(entry.stringValue("Key", ""), value, entry.longValue("ModifyIndex", 0));
    }

    private record Reply(int status, byte[] body, long index, long lastContact) {
    }
}
