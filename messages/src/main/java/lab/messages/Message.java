package lab.messages;

import io.helidon.json.JsonObject;

/**
 * A message taken from the queue.
 *
 * @param uuid id the facade gave it
 * @param msg  text
 */
record Message(String uuid, String msg) {

    /**
     * As it is kept and served: {@code {"uuid": ..., "msg": ...}}.
     *
     * @return JSON object
     */
    JsonObject json() {
        return JsonObject.builder().set("uuid", uuid).set("msg", msg).build();
    }
}
