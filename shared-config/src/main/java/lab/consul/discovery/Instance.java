package lab.consul.discovery;

import java.net.URI;

/**
 * One healthy instance of a service, as Consul's health endpoint lists it.
 *
 * @param id      Consul service id
 * @param address host or IP to call
 * @param port    HTTP port
 */
public record Instance(String id, String address, int port) {

    /**
     * The instance's base URI.
     *
     * @return {@code http://address:port}
     */
    public URI uri() {
        return URI.create("http://" + address + ":" + port);
    }
}
