package lab.messages;

/**
 * A message taken from the queue.
 *
 * @param uuid id the facade gave it
 * @param msg  text
 */
record Message(String uuid, String msg) {
}
