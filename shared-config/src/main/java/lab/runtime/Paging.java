package lab.runtime;

import java.util.Optional;

import io.helidon.http.HttpException;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;

/**
 * The query parameters every paged list reads, and the positions of one page in a newest-first
 * list of sequence numbers. A page is a window of at most {@code limit} sequence numbers, so it
 * costs the same however long the list is.
 */
public final class Paging {

    /** Page size when the client names none. */
    public static final int DEFAULT_LIMIT = 100;
    /** Largest page a client may ask for. */
    public static final int MAX_LIMIT = 1_000;

    private Paging() {
    }

    /**
     * The {@code limit} query parameter.
     *
     * @param req request
     * @return 1 to {@link #MAX_LIMIT}, {@link #DEFAULT_LIMIT} when absent
     * @throws HttpException 400 for anything else
     */
    public static int limit(ServerRequest req) {
        Optional<String> text = req.query().first("limit").asOptional();
        if (text.isEmpty()) {
            return DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(text.get());
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // falls through to the same answer as an out-of-range number
        }
        throw badRequest("limit must be a whole number from 1 to " + MAX_LIMIT);
    }

    /**
     * A cursor query parameter.
     *
     * @param req   request
     * @param param parameter name
     * @param list  list the caller serves
     * @return the cursor, empty when absent (the walk starts at the newest entry)
     * @throws HttpException 400 when it is not a cursor of {@code list}
     */
    public static Optional<Cursor> cursor(ServerRequest req, String param, String list) {
        return req.query().first(param).asOptional().map(token -> Cursor.decode(token, param, list));
    }

    /**
     * The sequence numbers of one page, newest first.
     *
     * @param head     oldest sequence number still held
     * @param tail     newest sequence number, {@code head - 1} when the list is empty
     * @param limit    page size
     * @param position where the page starts (a cursor's position), empty for the newest entry
     * @return the window
     * @throws HttpException 400 for a position this list never issued, 410 for one that retention already dropped
     */
    public static Window window(long head, long tail, int limit, Optional<Long> position) {
        long newest = tail;
        if (position.isPresent()) {
            newest = position.get();
            if (newest > tail) {
                throw badRequest("cursor points past the newest entry: not a cursor of this list");
            }
            if (newest < head) {
                throw gone("the entries after this cursor were dropped by retention (the list keeps "
                                   + "the newest ones); start a new walk without a cursor");
            }
        }
        return new Window(Math.max(head, newest - limit + 1), newest, Math.max(0, tail - head + 1), head);
    }

    /**
     * A 400 with a message for the client.
     *
     * @param message what is wrong
     * @return exception to throw
     */
    public static HttpException badRequest(String message) {
        return new HttpException(message, Status.BAD_REQUEST_400, true);
    }

    /**
     * A 410: what the client asks for existed, and is gone.
     *
     * @param message what is gone and what to do
     * @return exception to throw
     */
    public static HttpException gone(String message) {
        return new HttpException(message, Status.GONE_410, true);
    }

    /**
     * Sequence numbers {@code oldest..newest} of one page (none when {@code oldest > newest}).
     *
     * @param oldest oldest sequence number on the page
     * @param newest newest sequence number on the page
     * @param total  entries in the whole list
     * @param head   oldest sequence number in the whole list
     */
    public record Window(long oldest, long newest, long total, long head) {

        /**
         * How many entries the page holds.
         *
         * @return count
         */
        public int size() {
            return (int) Math.max(0, newest - oldest + 1);
        }

        /**
         * Position of the next page, if older entries remain.
         *
         * @return position
         */
        public Optional<Long> next() {
            return oldest > head && size() > 0 ? Optional.of(oldest - 1) : Optional.empty();
        }
    }
}
