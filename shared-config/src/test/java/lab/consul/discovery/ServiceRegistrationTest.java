package lab.consul.discovery;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.util.List;
import java.util.Map;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

class ServiceRegistrationTest {

    @Test
    void autoAddressIsOneOfThisHostsOwnAddresses() throws Exception {
        ServiceRegistration registration = ServiceRegistration.create(
                "x-service", "x-1", 8080, Config.just(ConfigSources.create(Map.of("address", "auto"))));
        InetAddress address = InetAddress.getByName(registration.address());
        assertThat(registration.address() + " belongs to an interface of this host",
                   NetworkInterface.getByInetAddress(address), notNullValue());
    }

    @Test
    void defaultsSuitALocalRun() {
        ServiceRegistration registration = ServiceRegistration.create("x-service", "x-1", 8080, Config.empty());
        assertThat(registration.address(), is("127.0.0.1"));
        assertThat(registration.ttl().toSeconds(), is(5L));
        assertThat(registration.deregisterAfter().toMinutes(), is(1L));
        assertThat(registration.checkId(), is("service:x-1"));
        assertThat(ServiceRegistration.uniqueId("x-service"), startsWith("x-service-"));
        assertThat(registration.tags(), is(List.of("lab")));
    }

    @Test
    void tagsFromWordsSeparatedByCommasOrAList() {
        assertThat(ServiceRegistration.create("x-service", "x-1", 8080, Config.just(ConfigSources.create(
                Map.of("tags", "zone-a, shard-1,lab")))).tags(), is(List.of("lab", "zone-a", "shard-1")));
        assertThat(ServiceRegistration.create("x-service", "x-1", 8080, Config.just(ConfigSources.create(
                Map.of("tags.0", "zone-b", "tags.1", "shard-2")))).tags(), is(List.of("lab", "zone-b", "shard-2")));
    }
}
