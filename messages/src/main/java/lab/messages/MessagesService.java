package lab.messages;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import lab.runtime.Cursor;
import lab.runtime.Paging;

/**
 * {@code GET} lists what this instance received from the queue, a page at a time, newest first
 * ({@code ?limit=N&cursor=C}).
 */
final class MessagesService implements HttpService {

    private final ReceivedMessages received;

    private MessagesService(ReceivedMessages received) {
        this.received = received;
    }

    static MessagesService create(ReceivedMessages received) {
        return new MessagesService(received);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::list);
    }

    private void list(ServerRequest req, ServerResponse res) {
        int limit = Paging.limit(req);
        received.page(limit, Paging.cursor(req, "cursor", Cursor.MESSAGES)).send(req, res, limit);
    }
}
