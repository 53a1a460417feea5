package lab.runtime;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.json.JsonObject;
import io.helidon.json.JsonParser;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

class JsonTest {

    @Test
    void onlyAStringIsText() {
        JsonObject body = JsonParser.create("{\"s\": \"x\", \"n\": 5, \"b\": true, \"z\": null, \"o\": {}, \"a\": [\"x\"]}")
                .readJsonObject();
        assertThat(Json.text(body, "s"), is(Optional.of("x")));
        for (String field : new String[] {"n", "b", "z", "o", "a", "missing"}) {
            assertThat(field, Json.text(body, field), is(Optional.empty()));
        }
    }

    // What a user types reaches the stored bytes intact, as another parser (Jackson, as a client would) reads them.
    @Test
    void bytesAreJsonThatAnotherParserReadsBackTheSame() throws Exception {
        String msg = "quote \" backslash \\ newline \n tab \t control \u0001 é 😀 </script>";
        byte[] bytes = Json.bytes(JsonObject.builder().set("uuid", "u-1").set("msg", msg).build());
        JsonNode read = new ObjectMapper().readTree(bytes);
        assertThat(read.get("msg").asText(), is(msg));
        assertThat(read.get("uuid").asText(), is("u-1"));
        assertThat(new String(bytes, StandardCharsets.UTF_8).startsWith("{\"uuid\":\"u-1\",\"msg\":"), is(true));
    }
}
