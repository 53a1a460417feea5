package lab.consul.access;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.Optional;

/**
 * The ACL token sent to Consul: none, a fixed one ({@code CONSUL_HTTP_TOKEN}) or the content of a
 * file ({@code CONSUL_HTTP_TOKEN_FILE}, as a platform mounts a secret), read again whenever the
 * file changes, so that a rotated token is used from the next request on without a restart.
 * <p>
 * Its value is never printed: {@link #toString()} says only where it comes from.
 */
public final class ConsulToken {

    private static final System.Logger LOGGER = System.getLogger(ConsulToken.class.getName());
    private static final ConsulToken NONE = new ConsulToken(Optional.empty(), null);

    private final Path file;
    // for a file: the last content read and the file's state then
    private volatile Read last;

    private ConsulToken(Optional<String> fixed, Path file) {
        this.file = file;
        this.last = new Read(fixed, null);
    }

    /**
     * No token (ACLs off, or the agent's default token).
     *
     * @return token
     */
    public static ConsulToken none() {
        return NONE;
    }

    /**
     * A fixed token.
     *
     * @param token the secret
     * @return token, {@link #none()} when blank
     */
    public static ConsulToken of(String token) {
        return token == null || token.isBlank() ? NONE : new ConsulToken(Optional.of(token.strip()), null);
    }

    /**
     * The token a file holds, now and after every change of the file.
     *
     * @param file token file
     * @return token
     */
    public static ConsulToken fromFile(Path file) {
        ConsulToken token = new ConsulToken(Optional.empty(), Objects.requireNonNull(file));
        token.current();
        return token;
    }

    /**
     * The token to send now. A file is looked at (one {@code stat}) on every call and read again
     * when its time or size changed; an unreadable file keeps the last token it gave.
     *
     * @return token, empty when there is none
     */
    public Optional<String> current() {
        if (file == null) {
            return last.token();
        }
        Read seen = last;
        Object state;
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            state = attributes.lastModifiedTime() + "/" + attributes.size() + "/" + attributes.fileKey();
            if (state.equals(seen.state())) {
                return seen.token();
            }
            String content = Files.readString(file, StandardCharsets.UTF_8).strip();
            Read read = new Read(content.isEmpty() ? Optional.empty() : Optional.of(content), state);
            if (seen.state() != null) {
                LOGGER.log(System.Logger.Level.INFO, "CONSUL_HTTP_TOKEN_FILE " + file + " changed: using the token it holds now");
            }
            last = read;
            return read.token();
        } catch (IOException e) {
            if (!"unreadable".equals(seen.state())) {
                LOGGER.log(System.Logger.Level.WARNING, "CONSUL_HTTP_TOKEN_FILE " + file + " cannot be read ("
                        + e.getClass().getSimpleName() + "); keeping the last token it held");
                last = new Read(seen.token(), "unreadable");
            }
            return seen.token();
        }
    }

    /**
     * Whether a token is sent at all (fixed or from a file).
     *
     * @return true for a fixed token or a file
     */
    public boolean isSet() {
        return file != null || last.token().isPresent();
    }

    @Override
    public String toString() {
        return file != null ? "token file " + file : last.token().isPresent() ? "token ****" : "no token";
    }

    private record Read(Optional<String> token, Object state) {
    }
}
