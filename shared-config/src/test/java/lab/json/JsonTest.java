package lab.json;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.json.JsonException;
import io.helidon.json.JsonObject;
import io.helidon.json.JsonParser;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

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

    // The parser's failures are of several kinds and some come late; object() makes them one, at once.
    @Test
    void anythingButAJsonObjectIsAJsonException() {
        for (String text : new String[] {"[]", "5", "\"x\"", "{\"a\": ", "{\"a\": 5\u00e9}", "{".repeat(100_000),
                "[".repeat(100_000)}) {
            assertThrows(JsonException.class, () -> Json.object(text), text.length() > 20 ? text.substring(0, 20) : text);
        }
        assertThat(Json.text(Json.object("{\"a\": \"\\q\"}"), "a"), is(Optional.empty()));
    }
}
