package lab.facade;

import io.helidon.json.JsonObject;

/**
 * A message on its way: the text and the uuid the facade gave it.
 *
 * @param uuid id
 * @param msg  text
 */
record Message(String uuid, String msg) {

    /**
     * What logging stores: {@code {"uuid": ..., "msg": ...}}.
     *
     * @return JSON object
     */
    JsonObject json() {
        return JsonObject.builder().set("uuid", uuid).set("msg", msg).build();
    }
}
