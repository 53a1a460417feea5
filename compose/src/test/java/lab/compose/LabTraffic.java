package lab.compose;

import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Clients that POST and GET through the facades, in turn, while a drill breaks something: every
 * answer that is not a 201 or 200, and every request that gets none, is a failure.
 */
final class LabTraffic {

    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger requests = new AtomicInteger();
    private final Queue<String> failures = new ConcurrentLinkedQueue<>();
    private final List<Thread> clients = new ArrayList<>();

    private LabTraffic() {
    }

    /**
     * Starts the clients, each on a virtual thread, alternating POST (form) and GET and the facades.
     *
     * @param facades {@code .../facade} of each facade
     * @param clients how many clients
     * @param pause   between two requests of a client
     * @param label   in the messages they post
     * @return running traffic
     */
    static LabTraffic start(List<URI> facades, int clients, Duration pause, String label) {
        LabTraffic traffic = new LabTraffic();
        for (int c = 0; c < clients; c++) {
            int client = c;
            traffic.clients.add(Thread.ofVirtual().start(() -> traffic.run(client, facades, pause, label)));
        }
        return traffic;
    }

    /**
     * Stops the clients and waits for their last requests.
     *
     * @return the failures, in the order they happened
     */
    List<String> stop() throws InterruptedException {
        running.set(false);
        for (Thread client : clients) {
            client.join(Duration.ofSeconds(30));
        }
        return List.copyOf(failures);
    }

    int requests() {
        return requests.get();
    }

    private void run(int client, List<URI> facades, Duration pause, String label) {
        for (int i = 0; running.get(); i++) {
            URI facade = facades.get((client + i) % facades.size());
            boolean isPost = (client + i) % 2 == 0;
            try {
                HttpResponse<String> response = isPost
                        ? LabHttp.post(facade, LabHttp.FORM, "msg=" + label + "-" + client + "-" + i)
                        : LabHttp.get(facade);
                if (response.statusCode() != (isPost ? 201 : 200)) {
                    failures.add((isPost ? "POST " : "GET ") + facade + " -> " + response.statusCode() + " "
                                         + abbreviate(response.body()));
                }
            } catch (RuntimeException e) {
                failures.add((isPost ? "POST " : "GET ") + facade + " -> " + e.getMessage());
            }
            requests.incrementAndGet();
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }
}
