package lab.consul.access;

import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

import lab.consul.ConsulException;

/**
 * What Consul's ACLs refuse this process, for its log and its health: a 403 is not an outage to
 * retry quietly but a token that lacks a right, so it gets one log line that names the right (and
 * another once the request goes through again, e.g. after the token file was rotated), and it
 * stays listed until then ({@link #current()}, shown by the {@code consul-access} health check).
 * <p>
 * Consul 1.8 answers a refused read of a service's health not with a 403 but with fewer (or no)
 * instances: ACLs filter the answer. Such a denial shows as "no passing instance" only.
 */
public final class ConsulDenials {

    private static final System.Logger LOGGER = System.getLogger(ConsulDenials.class.getName());
    // what was refused -> the right it needs
    private static final Map<String, String> CURRENT = new ConcurrentSkipListMap<>();

    private ConsulDenials() {
    }

    /**
     * Whether an error is Consul refusing a request for want of an ACL right (HTTP 403). If so it
     * is recorded, and logged the first time.
     *
     * @param error the error
     * @param what  what was refused, e.g. {@code registering facade-service-1}
     * @param right the right it needs, e.g. {@code service:write on "facade-service"}
     * @return whether it was a denial
     */
    public static boolean denied(Throwable error, String what, String right) {
        if (!(error instanceof ConsulException refused) || !refused.denied()) {
            return false;
        }
        if (CURRENT.put(what, right) == null) {
            LOGGER.log(System.Logger.Level.WARNING, "Consul denied " + what + ": this instance's token lacks " + right
                    + " (403 " + refused.body() + "); retrying with back-off");
        }
        return true;
    }

    /**
     * What was refused went through: the denial is over.
     *
     * @param what as given to {@link #denied(Throwable, String, String)}
     */
    public static void allowed(String what) {
        if (!CURRENT.isEmpty() && CURRENT.remove(what) != null) {
            LOGGER.log(System.Logger.Level.INFO, "Consul allows " + what + " again");
        }
    }

    /**
     * The denials in force.
     *
     * @return what was refused, with the right it needs
     */
    public static Map<String, String> current() {
        return Map.copyOf(CURRENT);
    }
}
