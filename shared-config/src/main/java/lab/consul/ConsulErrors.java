package lab.consul;

import java.net.SocketException;
import java.util.Locale;

import javax.net.ssl.SSLException;

/**
 * One line on why a call to Consul failed, in the words of the setting that fixes it: TLS
 * handshakes fail deep in a chain of causes with messages like "PKIX path building failed", which
 * say little to whoever set {@code CONSUL_CACERT}.
 */
public final class ConsulErrors {

    private ConsulErrors() {
    }

    /**
     * Describes a failed call to an agent: as {@link #describe(Throwable)}, and over TLS a
     * connection the agent closed at once is said to be what it most likely is (with TLS 1.3 the
     * agent checks the client's certificate after the handshake, and the client sees only a
     * broken pipe or a reset).
     *
     * @param error    what the client threw
     * @param endpoint the agent called
     * @return one line
     */
    public static String describe(Throwable error, ConsulEndpoint endpoint) {
        if (endpoint.tls().isPresent()) {
            for (Throwable cause = error; cause != null; cause = cause.getCause()) {
                if (cause instanceof SocketException && !(cause instanceof java.net.ConnectException)) {
                    return "TLS: the agent closed the connection (" + cause.getMessage() + "): most likely it refused this"
                            + " client's certificate (CONSUL_CLIENT_CERT and CONSUL_CLIENT_KEY: missing, or not signed by a"
                            + " CA the agent trusts)";
                }
            }
        }
        return describe(error);
    }

    /**
     * Describes a failed call.
     *
     * @param error what the client threw
     * @return one line; never a token or a key (Consul's and the JDK's messages carry neither)
     */
    public static String describe(Throwable error) {
        if (error instanceof ConsulException refused) {
            return refused.denied()
                    ? "Consul denied it (403 " + refused.body() + "): the token lacks a right"
                    : refused.getMessage();
        }
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            String message = String.valueOf(cause.getMessage());
            String lower = message.toLowerCase(Locale.ROOT);
            // the JDK's endpoint identification, or ConsulTls's check of CONSUL_TLS_SERVER_NAME
            if (lower.contains("no subject alternative") || lower.contains("no name matching")) {
                return "TLS: the agent's certificate does not carry the name it is reached by (" + message
                        + "); set CONSUL_TLS_SERVER_NAME to a name it carries";
            }
            if (!(cause instanceof SSLException)) {
                continue;
            }
            if (lower.contains("pkix") || lower.contains("certification path")) {
                return "TLS: the agent's certificate is not signed by a CA this instance trusts (CONSUL_CACERT)";
            }
            if (lower.contains("certificate_expired") || lower.contains("validity")) {
                return "TLS: a certificate has expired or is not valid yet (" + message + ")";
            }
            if (lower.contains("bad_certificate") || lower.contains("certificate_required") || lower.contains("unknown_ca")) {
                return "TLS: the agent refused this client's certificate (CONSUL_CLIENT_CERT and CONSUL_CLIENT_KEY: missing,"
                        + " or not signed by a CA the agent trusts)";
            }
            if (lower.contains("unrecognized ssl message") || lower.contains("plaintext")) {
                return "TLS: the agent does not speak TLS on this port (is CONSUL_HTTP_ADDR's scheme right?)";
            }
            return "TLS: " + message;
        }
        return String.valueOf(error.getMessage());
    }
}
