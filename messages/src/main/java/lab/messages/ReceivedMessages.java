package lab.messages;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import lab.json.Json;
import lab.runtime.Cursor;
import lab.runtime.Page;
import lab.runtime.Paging;

/**
 * The newest messages this instance took from the queue, in arrival order, in memory: a ring of
 * {@code retention} slots, so memory stays bounded and a message costs O(1) (one slot written; the
 * oldest falls out). Each message gets the next sequence number of this run; a page is a window of
 * those numbers, newest first. A restarted instance starts empty, with a new run.
 */
final class ReceivedMessages {

    private final String instanceId;
    private final String run = UUID.randomUUID().toString();
    private byte[][] ring;
    // Sequence numbers of the oldest and the newest message held; head > tail when none is.
    private long head;
    private long tail = -1;

    private ReceivedMessages(String instanceId, int retention) {
        this.instanceId = instanceId;
        this.ring = new byte[retention][];
    }

    /**
     * An empty store.
     *
     * @param instanceId this instance's Consul id, written into its cursors
     * @param retention  how many of the newest messages to keep
     * @return store
     */
    static ReceivedMessages create(String instanceId, int retention) {
        return new ReceivedMessages(instanceId, retention);
    }

    void add(Message message) {
        byte[] entry = Json.bytes(message.json());
        synchronized (this) {
            tail++;
            ring[slot(tail)] = entry;
            head = Math.max(head, tail - ring.length + 1);
        }
    }

    /**
     * Keeps the newest {@code retention} messages from now on. Copies what it keeps: O(retention),
     * once per change of {@code messages_retention}.
     *
     * @param retention new number of slots
     */
    synchronized void retain(int retention) {
        if (retention == ring.length) {
            return;
        }
        byte[][] next = new byte[retention][];
        head = Math.max(head, tail - retention + 1);
        for (long sequence = head; sequence <= tail; sequence++) {
            next[(int) (sequence % retention)] = ring[slot(sequence)];
        }
        ring = next;
    }

    /**
     * One page, newest first.
     *
     * @param limit  page size
     * @param cursor where the page starts, empty for the newest message
     * @return page
     */
    Page page(int limit, Optional<Cursor> cursor) {
        cursor.ifPresent(this::check);
        List<byte[]> entries;
        Paging.Window window;
        synchronized (this) {
            window = Paging.window(head, tail, limit, cursor.map(Cursor::position));
            entries = new ArrayList<>(window.size());
            for (long sequence = window.newest(); sequence >= window.oldest(); sequence--) {
                entries.add(ring[slot(sequence)]);
            }
        }
        return new Page(entries, window.next().map(position -> new Cursor(Cursor.MESSAGES, instanceId, run, position)),
                        window.total());
    }

    private void check(Cursor cursor) {
        if (!cursor.issuer().equals(instanceId)) {
            throw Paging.badRequest("cursor was issued by the messages instance " + cursor.issuer() + ", not by "
                                            + instanceId + ": GET /facade takes it to its instance");
        }
        if (!cursor.run().equals(run)) {
            throw Paging.gone("cursor was issued before " + instanceId + " restarted, and the messages it received"
                                      + " then are gone; start a new walk without a cursor");
        }
    }

    private int slot(long sequence) {
        return (int) (sequence % ring.length);
    }
}
