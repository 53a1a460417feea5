package lab.consul;

import java.io.IOException;

import com.ecwid.consul.v1.ConsulClient;
import com.ecwid.consul.v1.ConsulRawClient;
import org.apache.http.impl.client.CloseableHttpClient;

/**
 * An ecwid {@link ConsulClient} over an HTTP connection pool of its own, which {@link #close()}
 * releases: whoever creates one (through {@link ConsulClients}) closes it when done.
 */
public final class ConsulConnection extends ConsulClient implements AutoCloseable {

    private final CloseableHttpClient http;

    ConsulConnection(ConsulRawClient raw, CloseableHttpClient http) {
        super(raw);
        this.http = http;
    }

    /**
     * Closes the pool's connections; calls made after this fail.
     */
    @Override
    public void close() {
        try {
            http.close();
        } catch (IOException e) {
            // nothing left to release
        }
    }
}
