package lab.consul;

/**
 * Consul answered, and not with a 2xx: a 403 of the ACLs, a 500 for a check it does not know, a 400
 * for a bad filter. A call that got no answer (agent down, TLS refused, timeout) throws what the
 * HTTP client threw instead.
 */
public final class ConsulException extends RuntimeException {

    // Consul's error texts are a line; anything longer is cut, for the logs' sake.
    private static final int MAX_BODY = 300;

    private final int status;
    private final String body;

    /**
     * An answer Consul gave.
     *
     * @param status HTTP status
     * @param body   what Consul said (its error text)
     */
    public ConsulException(int status, String body) {
        super("Consul answered " + status + " " + cut(body));
        this.status = status;
        this.body = cut(body);
    }

    /**
     * The HTTP status.
     *
     * @return e.g. 403
     */
    public int status() {
        return status;
    }

    /**
     * What Consul said, stripped and at most a few hundred characters: never a token, Consul does not echo them.
     *
     * @return Consul's error text
     */
    public String body() {
        return body;
    }

    /**
     * Whether Consul refused it for want of an ACL right.
     *
     * @return true for a 403
     */
    public boolean denied() {
        return status == 403;
    }

    private static String cut(String body) {
        String text = String.valueOf(body).strip();
        return text.length() <= MAX_BODY ? text : text.substring(0, MAX_BODY) + "…";
    }
}
