package lab.consul;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;

import javax.net.ssl.SSLHandshakeException;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.json.JsonObject;
import io.helidon.webserver.WebServer;
import lab.json.Json;
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
        // an answer big enough for Consul to gzip it
        String big = "0123456789abcdef".repeat(4096);
        client.put("kv-test/big", big);
        assertThat(client.text("kv-test/big"), is(Optional.of(big)));

        agent.put("/v1/kv/kv-test/folder/", "");
        client.put("kv-test/b", "");
        List<KvEntry> tree = client.kvTree("kv-test/");
        assertThat(tree.stream().map(KvEntry::key).toList(), is(List.of("kv-test/a", "kv-test/b", "kv-test/big", "kv-test/folder/")));
        assertThat("a folder has no value", tree.get(3).value(), is(Optional.empty()));
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
    void tagsAndFiltersAreEncoded() {
        ConsulConnection client = agent.client();
        String tag = "zone+a&b=c%d é";
        client.register(JsonObject.builder()
                                .set("ID", "encoded-1")
                                .set("Name", "encoded")
                                .set("Port", 8124)
                                .setStrings("Tags", List.of(tag))
                                .set("Meta", meta -> meta.set("shard", "1+2&3"))
                                .build());
        try {
            assertThat(client.health("encoded", Query.NONE.with("tag", tag)).value().size(), is(1));
            assertThat(client.health("encoded", Query.NONE.with("tag", "zone a&b=c%d é")).value(), empty());
            assertThat(client.health("encoded", Query.NONE.with("filter", "Service.Meta.shard == \"1+2&3\"")).value().size(),
                       is(1));
        } finally {
            client.deregister("encoded-1");
        }
        assertThrows(IllegalArgumentException.class, () -> client.deregister("../kv/lab_settings"));
    }

    @Test
    void aRedirectIsAnErrorNeitherFollowedNorSentTheToken() {
        // a real HTTP server in front of the agent that only redirects, as a misconfigured proxy would
        WebServer proxy = WebServer.builder().port(0).host("127.0.0.1")
                .routing(routing -> routing.any((request, response) -> response.status(Status.TEMPORARY_REDIRECT_307)
                        .header(HeaderNames.LOCATION, "http://127.0.0.1:" + agent.httpPort() + request.path().rawPath())
                        .send()))
                .build().start();
        try (ConsulConnection client = ConsulClients.create(
                ConsulEndpoint.create("127.0.0.1:" + proxy.port(), Optional.of(TOKEN)))) {
            ConsulException put = assertThrows(ConsulException.class, () -> client.put("redirected", "x"));
            assertThat(put.status(), is(307));
            assertThrows(ConsulException.class, () -> client.kv("redirected"));
            assertThat(agent.client().kv("redirected"), is(Optional.empty()));
        } finally {
            proxy.stop();
        }
    }

    @Test
    void onlyAStaleConnectionIsTriedAgain() {
        assertThat(ConsulConnection.staleConnection(new UncheckedIOException(new SocketException("Connection reset"))), is(true));
        assertThat(ConsulConnection.staleConnection(new RuntimeException(new ExecutionException(new IOException("idle")))),
                   is(true));
        assertThat(ConsulConnection.staleConnection(new UncheckedIOException(new ConnectException("refused"))), is(false));
        assertThat(ConsulConnection.staleConnection(new UncheckedIOException(new SocketTimeoutException("read"))), is(false));
        assertThat(ConsulConnection.staleConnection(new UncheckedIOException(new SSLHandshakeException("PKIX"))), is(false));
        assertThat(ConsulConnection.staleConnection(new ConsulException(500, "oops")), is(false));
        assertThat(ConsulConnection.staleConnection(new IllegalStateException("Connection cache is closed")), is(false));
        Thread.currentThread().interrupt();
        try {
            assertThat("a heartbeat being stopped", ConsulConnection.staleConnection(
                    new UncheckedIOException(new SocketException("Closed by interrupt"))), is(false));
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void theTokenTravelsInTheHeaderOnlyAndARefusalIsA403() {
        // a real token without any right
        String powerless = Json.text(Json.object(agent.put("/v1/acl/token", "{}")), "SecretID").orElseThrow();
        ConsulEndpoint endpoint = ConsulEndpoint.local(agent.httpPort()).withToken(powerless);
        try (ConsulConnection client = ConsulClients.create(endpoint)) {
            ConsulException denied = assertThrows(ConsulException.class, () -> client.put("token-test", "x"));
            assertThat(denied.denied(), is(true));
            assertThat(denied.getMessage(), not(containsString(powerless)));
            assertThat(ConsulErrors.describe(denied, endpoint), not(containsString(powerless)));
        }
        assertThat(agent.client().put("token-test", "with the token"), is(true));
        // The -dev agent logs every request's URL (a token in a query shows as token=<hidden>).
        assertThat(agent.log(), containsString("url=/v1/kv/token-test"));
        assertThat(agent.log(), not(containsString("token=")));
    }
}
