package lab.consul.config;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import io.helidon.common.media.type.MediaTypes;
import io.helidon.config.Config;
import io.helidon.config.ConfigException;
import io.helidon.config.ConfigSources;
import io.helidon.config.spi.ConfigNode;
import io.helidon.config.spi.ConfigParser;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

class JsonConfigParserTest {

    private static final String DOCUMENT = """
            {"name": "lab", "retention": 5, "ratio": 0.5, "exponent": 5e0, "on": true, "none": null,
             "members": ["127.0.0.1:5701", "127.0.0.1:5702"], "nested": {"a.b": {"c": "d"}},
             "rows": [{"id": 1}, [2, 3]]}
            """;

    @Test
    void aJsonConfigSourceIsReadWithItAsHelidonsServiceLoaderFindsIt() {
        // no explicit parser: Helidon finds this one for application/json (HOCON's is not on the class path)
        Config config = Config.just(ConfigSources.create(DOCUMENT, MediaTypes.APPLICATION_JSON));

        assertThat(config.get("name").asString().get(), is("lab"));
        assertThat(config.get("retention").asInt().get(), is(5));
        assertThat(config.get("exponent").asInt().get(), is(5));
        assertThat(config.get("ratio").asDouble().get(), is(0.5));
        assertThat(config.get("on").asBoolean().get(), is(true));
        assertThat(config.get("none").exists(), is(false));
        assertThat(config.get("members").asList(String.class).get(), contains("127.0.0.1:5701", "127.0.0.1:5702"));
        assertThat("a key is one name, dots and all",
                   config.get("nested").get(Config.Key.escapeName("a.b")).get("c").asString().get(), is("d"));
        assertThat(config.get("rows.0.id").asInt().get(), is(1));
        assertThat(config.get("rows.1").asList(Integer.class).get(), contains(2, 3));
    }

    @Test
    void valuesKeepTheirJsonText() {
        ConfigNode.ObjectNode root = JsonConfigParser.create().parse(ConfigParser.Content.create(
                new ByteArrayInputStream(DOCUMENT.getBytes(StandardCharsets.UTF_8)), MediaTypes.APPLICATION_JSON, null));

        assertThat(root.get("retention").value().orElseThrow(), is("5"));
        assertThat(root.get("ratio").value().orElseThrow(), is("0.5"));
        assertThat("plain notation, as Helidon's int conversion reads it", root.get("exponent").value().orElseThrow(), is("5"));
        assertThat(root.get("on").value().orElseThrow(), is("true"));
        assertThat(root.containsKey("none"), is(false));
    }

    @Test
    void aHugeExponentStaysShort() {
        // plain notation would be a billion digits (an OutOfMemoryError, from a document anyone with KV write may store)
        Config config = Config.just(ConfigSources.create("{\"big\": 1e999999999, \"small\": -1e-999999999, \"one\": 1e64}",
                                                         MediaTypes.APPLICATION_JSON));

        assertThat(config.get("big").asString().get(), is("1E+999999999"));
        assertThat(config.get("small").asString().get(), is("-1E-999999999"));
        assertThat(config.get("one").asString().get().length(), is(65));
    }

    @Test
    void aDocumentThatIsNotAJsonObjectIsAParserError() {
        for (String bad : List.of("[1, 2]", "{\"a\": ", "{\"a\": \"\\q\"}", "not json")) {
            assertThrows(ConfigException.class,
                         () -> Config.just(ConfigSources.create(bad, MediaTypes.APPLICATION_JSON)).get("a").asString().get(),
                         bad);
        }
    }
}
