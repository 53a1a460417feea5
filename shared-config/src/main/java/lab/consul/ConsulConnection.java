package lab.consul;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import com.ecwid.consul.UrlParameters;
import com.ecwid.consul.Utils;
import com.ecwid.consul.json.GsonFactory;
import com.ecwid.consul.transport.HttpResponse;
import com.ecwid.consul.v1.ConsulClient;
import com.ecwid.consul.v1.ConsulRawClient;
import com.ecwid.consul.v1.OperationException;
import com.ecwid.consul.v1.Response;
import com.ecwid.consul.v1.health.HealthServicesRequest;
import com.ecwid.consul.v1.health.model.HealthService;
import org.apache.http.impl.client.CloseableHttpClient;

/**
 * An ecwid {@link ConsulClient} over an HTTP connection pool of its own, which {@link #close()}
 * releases: whoever creates one (through {@link ConsulClients}) closes it when done.
 */
public final class ConsulConnection extends ConsulClient implements AutoCloseable {

    private final ConsulRawClient raw;
    private final CloseableHttpClient http;

    ConsulConnection(ConsulRawClient raw, CloseableHttpClient http) {
        super(raw);
        this.raw = raw;
        this.http = http;
    }

    /**
     * The health of a service's instances, as {@link #getHealthServices(String, HealthServicesRequest)}
     * asks for it, plus two parameters the ecwid client (1.4.5) has no way to send.
     *
     * @param serviceName Consul service name
     * @param request     what ecwid asks: passing, tag, index, wait, consistency
     * @param cached      through the agent's cache ({@code ?cached})
     * @param filter      a filter expression ({@code ?filter=}, e.g. {@code Service.Meta.zone == "a"})
     * @return Consul's answer
     */
    public Response<List<HealthService>> healthServices(String serviceName, HealthServicesRequest request, boolean cached,
                                                        Optional<String> filter) {
        List<UrlParameters> params = new ArrayList<>(request.asUrlParameters());
        if (cached) {
            params.add(() -> List.of("cached"));
        }
        filter.ifPresent(expression -> params.add(() -> List.of("filter=" + Utils.encodeValue(expression))));
        HttpResponse response = raw.makeGetRequest("/v1/health/service/" + serviceName, params);
        if (response.getStatusCode() != 200) {
            throw new OperationException(response);
        }
        HealthService[] entries = GsonFactory.getGson().fromJson(response.getContent(), HealthService[].class);
        return new Response<>(entries == null ? List.of() : Arrays.asList(entries), response);
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
