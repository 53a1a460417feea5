package lab.messages;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.helidon.http.HttpException;
import io.helidon.http.Status;
import lab.runtime.Cursor;
import lab.runtime.Page;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ReceivedMessagesTest {

    @Test
    void pagesNewestFirstAndKeepsOnlyTheRetention() {
        ReceivedMessages received = ReceivedMessages.create("messages-a", 10);
        for (int i = 1; i <= 15; i++) {
            received.add(new Message("u-" + i, "m-" + i));
        }
        Page first = received.page(4, Optional.empty());
        assertThat(first.total(), is(10L));
        assertThat(uuids(first), is(List.of("u-15", "u-14", "u-13", "u-12")));
        List<String> walked = walk(received, 4);
        assertThat(walked, is(List.of("u-15", "u-14", "u-13", "u-12", "u-11", "u-10", "u-9", "u-8", "u-7", "u-6")));
    }

    @Test
    void aWalkReturnsWhatExistedWhenItBeganExactlyOnceWhileMessagesArrive() {
        ReceivedMessages received = ReceivedMessages.create("messages-a", 100);
        for (int i = 1; i <= 30; i++) {
            received.add(new Message("u-" + i, "m"));
        }
        Page page = received.page(7, Optional.empty());
        List<String> walked = new ArrayList<>(uuids(page));
        int arriving = 31;
        while (page.next().isPresent()) {
            received.add(new Message("u-" + arriving++, "m"));
            page = received.page(7, page.next());
            walked.addAll(uuids(page));
        }
        List<String> expected = new ArrayList<>();
        for (int i = 30; i >= 1; i--) {
            expected.add("u-" + i);
        }
        assertThat(walked, is(expected));
    }

    @Test
    void aCursorWhoseMessagesRetentionDroppedIsGone() {
        ReceivedMessages received = ReceivedMessages.create("messages-a", 5);
        for (int i = 1; i <= 5; i++) {
            received.add(new Message("u-" + i, "m"));
        }
        Optional<Cursor> next = received.page(2, Optional.empty()).next();
        for (int i = 6; i <= 10; i++) {
            received.add(new Message("u-" + i, "m"));
        }
        HttpException gone = assertThrows(HttpException.class, () -> received.page(2, next));
        assertThat(gone.status(), is(Status.GONE_410));
        assertThat(gone.getMessage(), containsString("retention"));
    }

    @Test
    void retentionChangesLiveAndKeepsTheNewest() {
        ReceivedMessages received = ReceivedMessages.create("messages-a", 10);
        for (int i = 1; i <= 10; i++) {
            received.add(new Message("u-" + i, "m"));
        }
        received.retain(3);
        assertThat(walk(received, 2), is(List.of("u-10", "u-9", "u-8")));
        received.retain(6);
        assertThat("growing keeps what was kept, nothing older comes back", walk(received, 2),
                   is(List.of("u-10", "u-9", "u-8")));
        for (int i = 11; i <= 14; i++) {
            received.add(new Message("u-" + i, "m"));
        }
        assertThat(walk(received, 4), is(List.of("u-14", "u-13", "u-12", "u-11", "u-10", "u-9")));
    }

    @Test
    void anotherInstancesOrAnEarlierRunsCursorIsRefused() {
        ReceivedMessages received = ReceivedMessages.create("messages-a", 10);
        for (int i = 1; i <= 5; i++) {
            received.add(new Message("u-" + i, "m"));
        }
        Cursor own = received.page(2, Optional.empty()).next().orElseThrow();
        HttpException other = assertThrows(HttpException.class, () -> received.page(
                2, Optional.of(new Cursor(Cursor.MESSAGES, "messages-b", own.run(), own.position()))));
        assertThat(other.status(), is(Status.BAD_REQUEST_400));
        assertThat(other.getMessage(), containsString("messages-b"));
        HttpException restarted = assertThrows(HttpException.class, () -> received.page(
                2, Optional.of(new Cursor(Cursor.MESSAGES, "messages-a", "an-earlier-run", own.position()))));
        assertThat(restarted.status(), is(Status.GONE_410));
        HttpException forged = assertThrows(HttpException.class, () -> received.page(
                2, Optional.of(new Cursor(Cursor.MESSAGES, "messages-a", own.run(), 99))));
        assertThat(forged.status(), is(Status.BAD_REQUEST_400));
    }

    @Test
    void anEmptyListIsAnEmptyLastPage() {
        Page page = ReceivedMessages.create("messages-a", 10).page(100, Optional.empty());
        assertThat(page.entries(), is(List.of()));
        assertThat(page.next(), is(Optional.empty()));
        assertThat(page.total(), is(0L));
    }

    private static List<String> walk(ReceivedMessages received, int limit) {
        List<String> walked = new ArrayList<>();
        Optional<Cursor> cursor = Optional.empty();
        do {
            Page page = received.page(limit, cursor);
            walked.addAll(uuids(page));
            cursor = page.next();
        } while (cursor.isPresent());
        return walked;
    }

    private static List<String> uuids(Page page) {
        return page.entries().stream().map(String::new)
                .map(entry -> entry.replaceAll(".*\"uuid\":\"([^\"]*)\".*", "$1")).toList();
    }
}
