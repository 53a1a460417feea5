package lab.messages;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What this instance took from the queue, in arrival order. In memory, like the original lab:
 * a restarted instance starts empty.
 */
final class ReceivedMessages {

    private final List<Message> messages = new CopyOnWriteArrayList<>();

    void add(Message message) {
        messages.add(message);
    }

    List<Message> all() {
        return List.copyOf(messages);
    }
}
