package lab.runtime;

import java.util.Optional;

import io.helidon.http.HttpException;
import io.helidon.http.Status;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CursorTest {

    @Test
    void aCursorIsAnOpaqueUrlSafeTokenThatReadsBackAsItWas() {
        Cursor cursor = new Cursor(Cursor.MESSAGES, "messages-service-127.0.0.1-8082", "run-1", 12_345);
        assertThat(cursor.encode().matches("[A-Za-z0-9_-]+"), is(true));
        assertThat(Cursor.decode(cursor.encode(), "cursor", Cursor.MESSAGES), is(cursor));
    }

    @Test
    void garbageAndCursorsOfTheOtherListAreBadRequests() {
        String logging = new Cursor(Cursor.LOGGING, "map-history", "", 7).encode();
        assertBadRequest(logging, Cursor.MESSAGES, "of the logging list");
        for (String garbage : new String[] {"", "abc", "!!!", "YWJj", logging + "x", "%00"}) {
            assertBadRequest(garbage, Cursor.LOGGING, "not a cursor");
        }
        String negative = java.util.Base64.getUrlEncoder().encodeToString("c1\nlogging\nh\n\n-5".getBytes());
        assertBadRequest(negative, Cursor.LOGGING, "not a cursor");
    }

    @Test
    void aWindowIsAtMostLimitNewestFirstAndSaysWhereTheNextStarts() {
        Paging.Window first = Paging.window(0, 249, 100, Optional.empty());
        assertThat(first.oldest(), is(150L));
        assertThat(first.newest(), is(249L));
        assertThat(first.total(), is(250L));
        assertThat(first.next(), is(Optional.of(149L)));
        Paging.Window last = Paging.window(0, 249, 100, Optional.of(49L));
        assertThat(last.size(), is(50));
        assertThat(last.next(), is(Optional.empty()));
        Paging.Window empty = Paging.window(0, -1, 100, Optional.empty());
        assertThat(empty.size(), is(0));
        assertThat(empty.next(), is(Optional.empty()));
        assertThat(assertThrows(HttpException.class, () -> Paging.window(10, 20, 5, Optional.of(21L))).status(),
                   is(Status.BAD_REQUEST_400));
        assertThat(assertThrows(HttpException.class, () -> Paging.window(10, 20, 5, Optional.of(9L))).status(),
                   is(Status.GONE_410));
    }

    private static void assertBadRequest(String token, String list, String says) {
        HttpException e = assertThrows(HttpException.class, () -> Cursor.decode(token, "cursor", list));
        assertThat(token, e.status(), is(Status.BAD_REQUEST_400));
        assertThat(token, e.getMessage(), containsString(says));
    }
}
