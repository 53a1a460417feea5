package lab.facade;

/**
 * A message on its way: the text and the uuid the facade gave it.
 *
 * @param uuid id
 * @param msg  text
 */
record Message(String uuid, String msg) {
}
