package lab.consul.access;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Certificates and private keys from PEM files, as {@code consul tls ca create} and {@code consul
 * tls cert create} write them, with the JDK alone: PKCS#8 keys ({@code PRIVATE KEY}) and the two
 * older forms Consul and OpenSSL write ({@code EC PRIVATE KEY}, SEC 1; {@code RSA PRIVATE KEY},
 * PKCS#1), which are wrapped into PKCS#8 here. Error messages name the file, never its content.
 */
final class Pem {

    private static final Pattern BLOCK = Pattern.compile("-----BEGIN ([A-Z ]+)-----([^-]+)-----END \\1-----");
    // AlgorithmIdentifier pieces: id-ecPublicKey (1.2.840.10045.2.1), rsaEncryption (1.2.840.113549.1.1.1) + NULL
    private static final byte[] EC_PUBLIC_KEY = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};
    private static final byte[] RSA_ENCRYPTION = {0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01,
            0x01, 0x01, 0x05, 0x00};

    private Pem() {
    }

    /**
     * All certificates of a PEM file (a CA bundle may hold several).
     *
     * @param file PEM file
     * @param what which setting names it, for messages (e.g. {@code CONSUL_CACERT})
     * @return certificates, at least one
     */
    static List<X509Certificate> certificates(Path file, String what) {
        byte[] bytes = read(file, what);
        try {
            List<X509Certificate> certificates = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(bytes)).stream()
                    .map(X509Certificate.class::cast)
                    .toList();
            if (certificates.isEmpty()) {
                throw new IllegalArgumentException(what + " " + file + " holds no PEM certificate");
            }
            return certificates;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(what + " " + file + " is not a PEM certificate file");
        }
    }

    /**
     * The private key of a PEM file.
     *
     * @param file PEM file
     * @param what which setting names it, for messages (e.g. {@code CONSUL_CLIENT_KEY})
     * @return key
     */
    static PrivateKey privateKey(Path file, String what) {
        Matcher block = BLOCK.matcher(new String(read(file, what), StandardCharsets.US_ASCII));
        while (block.find()) {
            byte[] der = Base64.getMimeDecoder().decode(block.group(2));
            try {
                return switch (block.group(1)) {
                    case "PRIVATE KEY" -> pkcs8(der);
                    case "EC PRIVATE KEY" -> KeyFactory.getInstance("EC").generatePrivate(
                            new PKCS8EncodedKeySpec(wrap(concat(EC_PUBLIC_KEY, curve(der)), der)));
                    case "RSA PRIVATE KEY" -> KeyFactory.getInstance("RSA").generatePrivate(
                            new PKCS8EncodedKeySpec(wrap(RSA_ENCRYPTION, der)));
                    default -> null;
                };
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                throw new IllegalArgumentException(what + " " + file + " holds a " + block.group(1) + " that cannot be read");
            }
        }
        throw new IllegalArgumentException(what + " " + file + " holds no PEM private key (PRIVATE KEY, EC PRIVATE KEY or RSA PRIVATE KEY)");
    }

    private static PrivateKey pkcs8(byte[] der) throws GeneralSecurityException {
        for (String algorithm : List.of("EC", "RSA", "Ed25519")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new GeneralSecurityException("not an EC, RSA or Ed25519 key");
    }

    // PrivateKeyInfo ::= SEQUENCE { version 0, AlgorithmIdentifier, OCTET STRING key }
    private static byte[] wrap(byte[] algorithm, byte[] key) {
        return tlv(0x30, concat(new byte[] {0x02, 0x01, 0x00}, tlv(0x30, algorithm), tlv(0x04, key)));
    }

    // ECPrivateKey ::= SEQUENCE { version, OCTET STRING, [0] curve OID, [1] public key }: the [0] element's content
    private static byte[] curve(byte[] sec1) {
        int[] outer = header(sec1, 0);
        int at = outer[0];
        int end = at + outer[1];
        while (at < end) {
            int tag = sec1[at] & 0xff;
            int[] element = header(sec1, at);
            if (tag == 0xa0) {
                byte[] oid = new byte[element[1]];
                System.arraycopy(sec1, element[0], oid, 0, element[1]);
                return oid;
            }
            at = element[0] + element[1];
        }
        throw new IllegalArgumentException("an EC key without its curve");
    }

    // {offset of the content, length of the content} of the TLV at offset
    private static int[] header(byte[] der, int offset) {
        int first = der[offset + 1] & 0xff;
        if (first < 0x80) {
            return new int[] {offset + 2, first};
        }
        int count = first & 0x7f;
        int length = 0;
        for (int i = 0; i < count; i++) {
            length = (length << 8) | (der[offset + 2 + i] & 0xff);
        }
        return new int[] {offset + 2 + count, length};
    }

    private static byte[] tlv(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int length = content.length;
        if (length < 0x80) {
            out.write(length);
        } else if (length < 0x100) {
            out.write(0x81);
            out.write(length);
        } else {
            out.write(0x82);
            out.write(length >> 8);
            out.write(length & 0xff);
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static byte[] read(Path file, String what) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException(what + " " + file + " cannot be read: " + e.getClass().getSimpleName());
        }
    }
}
