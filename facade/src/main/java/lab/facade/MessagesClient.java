package lab.facade;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The facade's view of the messages service.
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
     * What one messages instance, chosen at random, received.
     *
     * @return JSON array of {@code {uuid, msg}}
     */
    JsonNode list() {
        return messages.list();
    }
}
