package lab.launcher;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import lab.launcher.LabLayout.Instance;

/**
 * What a training run asks of its instances, so that the AOT caches hold the classes and method
 * profiles of the real paths, not only those of start-up: a few POSTs and many GETs through the
 * facade (queue offer, logging with failover, both reads at once), each service's own list, its
 * settings, health and metrics. The POSTs stay in the history, as {@code aot-training-N}.
 */
final class AotTraining {

    private static final int POSTS = 5;
    private static final int ROUNDS = 40;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private AotTraining() {
    }

    /**
     * Sends the training requests.
     *
     * @param trainees one passing instance per service being trained
     * @return the requests that did not answer 2xx, as {@code "METHOD uri -> status"}
     */
    static List<String> exercise(List<Instance> trainees) {
        List<String> failures = new ArrayList<>();
        for (Instance instance : trainees) {
            if (instance.service().equals("facade")) {
                for (int i = 0; i < POSTS; i++) {
                    boolean form = i % 2 == 0;
                    send(failures, instance.uri("/facade"), form ? "application/x-www-form-urlencoded" : "application/json",
                         form ? "msg=aot-training-" + i : "{\"msg\": \"aot-training-" + i + "\"}");
                }
            }
        }
        for (int round = 0; round < ROUNDS; round++) {
            for (Instance instance : trainees) {
                String own = switch (instance.service()) {
                    case "facade" -> round % 2 == 0 ? "/facade" : "/facade?limit=5";
                    case "logging" -> "/logging?limit=5";
                    default -> "/messages?limit=5";
                };
                List.of(own, "/settings", "/observe/health/ready", "/observe/metrics")
                        .forEach(path -> send(failures, instance.uri(path), null, null));
            }
        }
        return failures;
    }

    private static void send(List<String> failures, URI uri, String contentType, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10));
        if (body != null) {
            request.header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body));
        }
        String what = (body == null ? "GET " : "POST ") + uri;
        try {
            int status = HTTP.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status / 100 != 2) {
                failures.add(what + " -> " + status);
            }
        } catch (IOException e) {
            failures.add(what + " -> " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failures.add(what + " -> interrupted");
        }
    }
}
