package lab.facade;

import java.util.Optional;

import lab.runtime.Cursor;

/**
 * The facade's view of the messages service. Each instance lists only what it received, so a walk
 * stays on one instance: the first page comes from a random one, the next pages from the instance
 * that issued the cursor.
 */
final class MessagesClient {

    private final Downstream messages;

    private MessagesClient(Downstream messages) {
        this.messages = messages;
    }

    static MessagesClient create(Downstream messages) {
        return new MessagesClient(messages);
    }

    /**
     * One page of what one messages instance received.
     *
     * @param limit  page size
     * @param cursor a messages cursor, empty for the newest messages of a random instance
     * @return the page
     * @throws Downstream.InstanceGone when the cursor's instance is not passing any more
     */
    Downstream.ListPage page(int limit, Optional<Cursor> cursor) {
        return cursor.map(it -> messages.page(it.issuer(), limit, it.encode()))
                .orElseGet(() -> messages.page(limit, Optional.empty()));
    }
}
