package lab.runtime;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import io.helidon.http.HttpException;

/**
 * Where a walk over a newest-first list goes on. Clients see it as an opaque token; inside it
 * names the list it belongs to ({@code logging}, {@code messages}), who issued it (the history's
 * name, or the messages instance's Consul id), that issuer's run (a restarted messages instance
 * starts a new one), and the position of the newest entry of the next page.
 *
 * @param list     list the cursor walks
 * @param issuer   history name or instance id that issued it
 * @param run      the issuer's run, so a cursor of a run that is over is recognised
 * @param position sequence number of the next page's newest entry
 */
public record Cursor(String list, String issuer, String run, long position) {

    /** The list of {@code GET /logging}: one history, shared by every logging instance. */
    public static final String LOGGING = "logging";
    /** The list of {@code GET /messages}: what one messages instance received. */
    public static final String MESSAGES = "messages";

    private static final String VERSION = "c1";
    private static final char SEPARATOR = '\n';

    /**
     * The token a client passes back.
     *
     * @return URL-safe text
     */
    public String encode() {
        String text = String.join(String.valueOf(SEPARATOR), VERSION, list, issuer, run, Long.toString(position));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Reads a token a client sent for {@code list}.
     *
     * @param token the client's text
     * @param param query parameter it came in, for the error message
     * @param list  the list the caller serves
     * @return cursor
     * @throws HttpException 400 when the token is not a cursor or belongs to another list
     */
    public static Cursor decode(String token, String param, String list) {
        String[] parts;
        try {
            parts = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8).split(String.valueOf(SEPARATOR), -1);
        } catch (IllegalArgumentException e) {
            throw Paging.badRequest(param + " is not a cursor this lab issued");
        }
        if (parts.length != 5 || !parts[0].equals(VERSION)) {
            throw Paging.badRequest(param + " is not a cursor this lab issued");
        }
        if (!parts[1].equals(list)) {
            throw Paging.badRequest(param + " is a cursor of the " + parts[1] + " list, not of " + list);
        }
        long position;
        try {
            position = Long.parseLong(parts[4]);
        } catch (NumberFormatException e) {
            throw Paging.badRequest(param + " is not a cursor this lab issued");
        }
        if (position < 0) {
            throw Paging.badRequest(param + " is not a cursor this lab issued");
        }
        return new Cursor(parts[1], parts[2], parts[3], position);
    }
}
