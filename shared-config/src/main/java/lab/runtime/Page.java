package lab.runtime;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Optional;

import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * One page of a newest-first list, sent as a JSON array with the next page in a
 * {@code Link: <...>; rel="next"} header (absent on the last page) and the list's length in
 * {@code X-Total-Count}. Entries are kept as UTF-8 JSON where they are stored, so a page is a
 * join, not a serialisation.
 *
 * @param entries JSON objects (UTF-8), newest first
 * @param next    cursor of the next page, empty on the last one
 * @param total   entries in the whole list
 */
public record Page(List<byte[]> entries, Optional<Cursor> next, long total) {

    /** Header with the length of the whole list. */
    public static final HeaderName TOTAL_COUNT = HeaderNames.create("X-Total-Count");

    /**
     * Sends the page as the answer to {@code req}.
     *
     * @param req   the request, whose path the next link repeats
     * @param res   response
     * @param limit page size, repeated in the next link
     */
    public void send(ServerRequest req, ServerResponse res, int limit) {
        res.header(TOTAL_COUNT, Long.toString(total));
        next.ifPresent(cursor -> res.header(HeaderNames.LINK, "<" + req.path().absolute().rawPath() + "?limit=" + limit
                + "&cursor=" + cursor.encode() + ">; rel=\"next\""));
        res.headers().contentType(MediaTypes.APPLICATION_JSON);
        res.send(json());
    }

    private byte[] json() {
        int size = 2 + entries.size();
        for (byte[] entry : entries) {
            size += entry.length;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(size);
        out.write('[');
        for (int i = 0; i < entries.size(); i++) {
            if (i > 0) {
                out.write(',');
            }
            out.writeBytes(entries.get(i));
        }
        out.write(']');
        return out.toByteArray();
    }

    /**
     * The cursor token in a {@code Link} header this class wrote.
     *
     * @param link header value
     * @return the token, empty when the header names no next page
     */
    public static Optional<String> nextCursor(String link) {
        int start = link.indexOf("cursor=");
        if (start < 0 || !link.contains("rel=\"next\"")) {
            return Optional.empty();
        }
        int end = link.indexOf('>', start);
        return Optional.of(link.substring(start + "cursor=".length(), end < 0 ? link.length() : end));
    }
}
