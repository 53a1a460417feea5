package lab.consul.access;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

import io.helidon.common.tls.Tls;

/**
 * How the lab speaks TLS to its Consul agent, named as the {@code consul} CLI names it:
 * {@code CONSUL_CACERT} (the CA that signed the agent's certificate; default: the JDK's trusted
 * CAs), {@code CONSUL_CLIENT_CERT} and {@code CONSUL_CLIENT_KEY} (this client's certificate, for
 * an agent with {@code verify_incoming}), {@code CONSUL_TLS_SERVER_NAME} (the name the agent's
 * certificate must carry, when it is not the address's host, e.g. {@code server.dc1.consul}) and
 * {@code CONSUL_HTTP_SSL_VERIFY=false} (trust any certificate: for a first try only).
 * <p>
 * Files are read each time a context is built (a new connection pool), so renewed certificates
 * are taken without a restart by whatever connects next.
 *
 * @param caCert     CA certificates (PEM)
 * @param clientCert this client's certificate chain (PEM)
 * @param clientKey  this client's private key (PEM)
 * @param serverName name to verify the agent's certificate against
 * @param verify     whether the agent's certificate is verified at all
 */
public record ConsulTls(Optional<Path> caCert, Optional<Path> clientCert, Optional<Path> clientKey,
                        Optional<String> serverName, boolean verify) {

    private static final char[] NO_PASSWORD = new char[0];

    /**
     * Checks that a client certificate comes with its key.
     */
    public ConsulTls {
        if (clientCert.isPresent() != clientKey.isPresent()) {
            throw new IllegalArgumentException("CONSUL_CLIENT_CERT and CONSUL_CLIENT_KEY go together: set both or neither");
        }
    }

    /**
     * From the variables the {@code consul} CLI reads.
     *
     * @param environment variables
     * @return TLS settings (used when the address is {@code https})
     */
    public static ConsulTls create(Map<String, String> environment) {
        return new ConsulTls(path(environment, "CONSUL_CACERT"),
                             path(environment, "CONSUL_CLIENT_CERT"),
                             path(environment, "CONSUL_CLIENT_KEY"),
                             value(environment, "CONSUL_TLS_SERVER_NAME"),
                             value(environment, "CONSUL_HTTP_SSL_VERIFY").map(it -> !it.equalsIgnoreCase("false")).orElse(true));
    }

    // A TLS context with these CAs and this client's certificate.
    private SSLContext sslContext() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(clientCert.isPresent() ? keyManagers() : null, trustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("TLS to Consul cannot be set up: " + e.getMessage());
        }
    }

    /**
     * TLS for a Helidon client: this context, and the check that the agent's certificate names the
     * agent: the address's host (the JDK's endpoint identification), or {@code serverName} when set
     * (the context's trust manager checks it), or nothing when {@code verify} is off.
     *
     * @return client TLS
     * @throws IllegalArgumentException when a file is missing or not what its setting says (the
     *                                  message names the setting and the file, never the content)
     */
    public Tls clientTls() {
        return Tls.builder()
                .sslContext(sslContext())
                .endpointIdentificationAlgorithm(verify && serverName.isEmpty()
                        ? Tls.ENDPOINT_IDENTIFICATION_HTTPS
                        : Tls.ENDPOINT_IDENTIFICATION_NONE)
                .build();
    }

    private javax.net.ssl.KeyManager[] keyManagers() throws GeneralSecurityException {
        List<X509Certificate> chain = Pem.certificates(clientCert.orElseThrow(), "CONSUL_CLIENT_CERT");
        PrivateKey key = Pem.privateKey(clientKey.orElseThrow(), "CONSUL_CLIENT_KEY");
        KeyStore store = emptyStore();
        store.setKeyEntry("client", key, NO_PASSWORD, chain.toArray(X509Certificate[]::new));
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(store, NO_PASSWORD);
        return factory.getKeyManagers();
    }

    private TrustManager[] trustManagers() throws GeneralSecurityException {
        if (!verify) {
            return new TrustManager[] {new TrustingEveryone()};
        }
        if (caCert.isEmpty() && serverName.isEmpty()) {
            return null; // the JDK's own CAs
        }
        KeyStore store = null; // the JDK's own CAs
        if (caCert.isPresent()) {
            store = emptyStore();
            List<X509Certificate> cas = Pem.certificates(caCert.get(), "CONSUL_CACERT");
            for (int i = 0; i < cas.size(); i++) {
                store.setCertificateEntry("ca-" + i, cas.get(i));
            }
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        if (serverName.isEmpty()) {
            return factory.getTrustManagers();
        }
        for (TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509TrustManager x509) {
                return new TrustManager[] {new NamedAgent(x509, serverName.get())};
            }
        }
        throw new GeneralSecurityException("no X.509 trust manager");
    }

    private static KeyStore emptyStore() throws GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try {
            store.load(null, null);
        } catch (java.io.IOException e) {
            throw new GeneralSecurityException(e);
        }
        return store;
    }

    private static Optional<Path> path(Map<String, String> environment, String name) {
        return value(environment, name).map(Path::of);
    }

    private static Optional<String> value(Map<String, String> environment, String name) {
        return Optional.ofNullable(environment.get(name)).map(String::strip).filter(it -> !it.isEmpty());
    }

    /*
     * CONSUL_TLS_SERVER_NAME: the agent's certificate must be signed by a trusted CA and carry that
     * name among its subject alternative names (a DNS name, or a "*." one for its first label; an IP
     * address for an IP), whatever address the agent was reached at: the JDK checks only the name it
     * connected to. No fallback to the subject's CN: Go's TLS, the consul CLI's, has none either.
     */
    private static final class NamedAgent implements X509TrustManager {

        private final X509TrustManager trusted;
        private final String name;

        private NamedAgent(X509TrustManager trusted, String name) {
            this.trusted = trusted;
            this.name = name;
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            trusted.checkClientTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            trusted.checkServerTrusted(chain, authType);
            Collection<List<?>> names = chain[0].getSubjectAlternativeNames();
            if (names == null || names.stream().noneMatch(this::carries)) {
                // worded as the JDK's own mismatch, which ConsulErrors explains
                throw new CertificateException("No subject alternative names matching " + name + " found");
            }
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return trusted.getAcceptedIssuers();
        }

        // (type, value): 2 is a DNS name, 7 an IP address
        private boolean carries(List<?> alternative) {
            String value = String.valueOf(alternative.get(1));
            if (ipLiteral(name)) {
                return alternative.get(0).equals(7) && sameAddress(value, name);
            }
            if (!alternative.get(0).equals(2)) {
                return false;
            }
            if (value.startsWith("*.")) {
                int dot = name.indexOf('.');
                return dot > 0 && name.substring(dot).equalsIgnoreCase(value.substring(1));
            }
            return value.equalsIgnoreCase(name);
        }

        private static boolean ipLiteral(String name) {
            return name.contains(":") || name.matches("[0-9.]+");
        }

        // Literals only, so no name is looked up: ::1 and 0:0:0:0:0:0:0:1 are the same address.
        private static boolean sameAddress(String one, String other) {
            try {
                return InetAddress.getByName(one).equals(InetAddress.getByName(other));
            } catch (UnknownHostException e) {
                return false;
            }
        }
    }

    // CONSUL_HTTP_SSL_VERIFY=false, as the CLI's: any certificate is taken.
    private static final class TrustingEveryone implements X509TrustManager {

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
