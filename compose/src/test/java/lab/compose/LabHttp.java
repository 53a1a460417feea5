package lab.compose;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import lab.testing.ConsulAgent;

/**
 * What the multi-process tests say to the lab over HTTP: plain requests, JSON, and the instances
 * Consul lists as passing.
 */
final class LabHttp {

    static final String FORM = "application/x-www-form-urlencoded";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private LabHttp() {
    }

    static HttpResponse<String> get(URI uri) {
        return send(HttpRequest.newBuilder(uri).GET());
    }

    static HttpResponse<String> post(URI uri, String contentType, String body) {
        return send(HttpRequest.newBuilder(uri).header("Content-Type", contentType)
                            .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    /**
     * The passing instances of a service, as Consul's health endpoint lists them.
     */
    static List<JsonNode> passing(ConsulAgent consul, String service) {
        List<JsonNode> entries = new ArrayList<>();
        read(consul.get("/v1/health/service/" + service + "?passing")).forEach(entries::add);
        return entries;
    }

    /**
     * {@code http://address:port/path} of one entry of Consul's health list.
     */
    static URI instanceUri(JsonNode entry, String path) {
        JsonNode service = entry.get("Service");
        return URI.create("http://" + service.get("Address").asText() + ":" + service.get("Port").asInt() + path);
    }

    static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException("Not JSON: " + json, e);
        }
    }

    static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return HTTP.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
