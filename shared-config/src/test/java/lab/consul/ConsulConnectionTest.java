package lab.consul;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.helidon.json.JsonObject;
import lab.testing.ConsulAgent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The lab's Consul client against a real agent with ACLs on (deny by default): every call it
 * makes, as Consul answers it.
 */
class ConsulConnectionTest {

    private static final String TOKEN = UUID.randomUUID().toString();

    @RegisterExtension
    static final ConsulAgent agent = ConsulAgent.perClassWithAcl(TOKEN);

    @Test
    void readsAndWritesKeysWithCheckAndSet() {
        ConsulConnection client = agent.client();
        assertThat(client.kv("kv-test/missing"), is(Optional.empty()));
        assertThat(client.put("kv-test/a", "ä, \"quoted\"\n"), is(true));
        KvEntry a = client.kv("kv-test/a").orElseThrow();
        assertThat(a.key(), is("kv-test/a"));
        assertThat(a.value(), is(Optional.of("ä, \"quoted\"\n")));

        assertThat("create-only on an existing key", client.put("kv-test/a", "other", 0), is(false));
        assertThat("at the index it was read at", client.put("kv-test/a", "second", a.modifyIndex()), is(true));
        assertThat("at an index another write moved on", client.put("kv-test/a", "third", a.modifyIndex()), is(false));
        assertThat(client.text("kv-test/a"), is(Optional.of("second")));

        agent.put("/v1/kv/kv-test/folder/", "");
        client.put("kv-test/b", "");
        List<KvEntry> tree = client.kvTree("kv-test/");
        assertThat(tree.stream().map(KvEntry::key).toList(), is(List.of("kv-test/a", "kv-test/b", "kv-test/folder/")));
        assertThat("a folder has no value", tree.get(2).value(), is(Optional.empty()));
        assertThat(client.kvTree("kv-test/none/"), empty());
    }

    @Test
    void aBlockingReadAnswersWithTheIndexToWaitOnAlsoForAMissingKey() {
        ConsulConnection client = agent.client();
        client.put("index-test", "1");
        Answer<Optional<KvEntry>> answer = client.kv("index-test", Query.NONE.with("stale"));
        assertThat(answer.index(), is(answer.value().orElseThrow().modifyIndex()));
        Answer<Optional<KvEntry>> missing = client.kv("index-test-missing", Query.NONE);
        assertThat(missing.value(), is(Optional.empty()));
        assertThat(missing.index(), greaterThan(0L));
    }

    @Test
    void registersReportsTtlStatusFindsHealthAndDeregisters() {
        ConsulConnection client = agent.client();
        client.register(JsonObject.builder()
                                .set("ID", "conn-test-1")
                                .set("Name", "conn-test")
                                .set("Address", "127.0.0.7")
                                .set("Port", 8123)
                                .set("Check", check -> check.set("TTL", "30s").set("Status", "passing"))
                                .build());
        Query passing = Query.NONE.with("passing");
        List<JsonObject> entries = client.health("conn-test", passing).value();
        assertThat(entries.size(), is(1));
        JsonObject service = entries.getFirst().objectValue("Service").orElseThrow();
        assertThat(service.stringValue("ID", ""), is("conn-test-1"));
        assertThat(service.stringValue("Address", ""), is("127.0.0.7"));
        assertThat(service.intValue("Port", 0), is(8123));

        client.updateTtl("service:conn-test-1", "critical", "down for the test");
        assertThat(client.health("conn-test", passing).value(), empty());
        assertThat(client.health("conn-test", Query.NONE).value().size(), is(1));

        client.deregister("conn-test-1");
        assertThat(client.health("conn-test", Query.NONE).value(), empty());
        // what Registrar takes for "Consul forgot this instance: register again" (with ACLs on)
        ConsulException unknown = assertThrows(ConsulException.class,
                                               () -> client.updateTtl("service:conn-test-1", "passing", "ok"));
        assertThat(unknown.status(), is(500));
        assertThat(unknown.body(), containsString("Unknown check"));
        assertThat(client.leader(), containsString(":"));
    }

    @Test
    void theTokenTravelsInTheHeaderOnlyAndARefusalIsA403() {
        try (ConsulConnection anonymous = ConsulClients.create(ConsulEndpoint.local(agent.httpPort()))) {
            ConsulException denied = assertThrows(ConsulException.class, () -> anonymous.put("token-test", "x"));
            assertThat(denied.denied(), is(true));
            assertThat(denied.getMessage(), not(containsString(TOKEN)));
        }
        assertThat(agent.client().put("token-test", "with the token"), is(true));
        // The -dev agent logs every request's URL (a token in a query shows as token=<hidden>).
        assertThat(agent.log(), containsString("url=/v1/kv/token-test"));
        assertThat(agent.log(), not(containsString("token=")));
    }
}
