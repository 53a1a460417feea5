package lab.logging;

/**
 * A logged message.
 *
 * @param uuid id the facade gave it
 * @param msg  text
 */
record Message(String uuid, String msg) {
}
