package lab.consul;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.json.JsonObject;
import lab.testing.ConsulAgent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

class KvDocumentTest {

    @RegisterExtension
    static final ConsulAgent agent = ConsulAgent.perClass();

    @Test
    void concurrentWritersNeverLoseEachOthersChanges() throws Exception {
        agent.put("/v1/kv/race", "{\"keep\": \"me\"}");
        KvDocument document = KvDocument.create(agent.endpoint(), "race");
        try (ExecutorService writers = Executors.newFixedThreadPool(4)) {
            Future<?>[] done = new Future<?>[4];
            for (int w = 0; w < 4; w++) {
                String field = "writer-" + w;
                done[w] = writers.submit(() -> {
                    for (int i = 0; i < 25; i++) {
                        document.update(json -> JsonObject.builder().from(json).set(field, json.intValue(field, 0) + 1).build());
                    }
                });
            }
            for (Future<?> writer : done) {
                writer.get();
            }
        }
        JsonNode result = new ObjectMapper().readTree(agent.get("/v1/kv/race?raw"));
        for (int w = 0; w < 4; w++) {
            assertThat(result.get("writer-" + w).asInt(), is(25));
        }
        assertThat(result.get("keep").asText(), is("me"));
    }

    @Test
    void unchangedDocumentIsNotWritten() {
        agent.put("/v1/kv/stable", "{\"a\": 1}");
        String index = agent.get("/v1/kv/stable");
        assertThat(KvDocument.create(agent.endpoint(), "stable").update(json -> JsonObject.builder().from(json).set("a", 1).build()), is(false));
        assertThat(agent.get("/v1/kv/stable"), is(index));
    }
}
