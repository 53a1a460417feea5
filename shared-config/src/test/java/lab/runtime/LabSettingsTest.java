package lab.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.json.JsonParser;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LabSettingsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theDefaultsTheSchemaAndSettingsOutputNameTheSameKeys() throws Exception {
        JsonNode defaults = JSON.readTree(LabBootstrap.defaultSettingsDocument());
        List<String> read = new ArrayList<>();
        defaults.fieldNames().forEachRemaining(read::add);
        assertThat(new ArrayList<>(LabSettings.defaults().asDocument().keysAsStrings()), is(read));
        assertThat(LabSettings.problem(JsonParser.create(LabBootstrap.defaultSettingsDocument()).readJsonObject()).isPresent(),
                   is(false));
        JsonNode shown = JSON.readTree(LabSettings.defaults().asDocument().toString());
        assertThat(shown, is(defaults));
    }

    @Test
    void everyKeyIsCheckedAndAnUnreadKeyMayHoldAnything() throws Exception {
        assertProblem("{\"cluster_name\": \"\"}", "cluster_name must be a non-empty string");
        assertProblem("{\"queue_name\": 3}", "queue_name must be a non-empty string");
        assertProblem("{\"map_name\": null}", "map_name must be a non-empty string");
        assertProblem("{\"hazelcast_members\": [\"no-port\"]}", "hazelcast_members must be a non-empty list of \"host:port\" strings");
        assertProblem("{\"api-endpoints\": {\"logging\": \"no-slash\"}}",
                      "api-endpoints must be an object mapping service names to paths starting with /");
        assertProblem("{\"messages_retention\": 0}", "messages_retention must be a whole number from 1 to 1000000");
        assertProblem("{\"messages_retention\": 2.5}", "messages_retention must be a whole number from 1 to 1000000");
        assertProblem("{\"messages_retention\": 5.0}", "messages_retention must be a whole number from 1 to 1000000");
        assertProblem("{\"messages_retention\": \"5\"}", "messages_retention must be a whole number from 1 to 1000000");
        assertProblem("{\"messages_retention\": 1000001}", "messages_retention must be a whole number from 1 to 1000000");
        assertThat(LabSettings.problem(JsonParser.create("{\"cluster_nodes\": \"anything\", \"messages_retention\": 5}")
                                               .readJsonObject()).isPresent(),
                   is(false));
    }

    @Test
    void aRetentionOutOfRangeFromAnySourceIsRefusedWhenRead() {
        for (String retention : new String[] {"0", "-4", "1000001"}) {
            Config config = Config.just(ConfigSources.create(Map.of("messages_retention", retention)),
                                        ConfigSources.classpath(LabSettings.DEFAULTS_RESOURCE));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LabSettings.create(config));
            assertThat(e.getMessage(), containsString("messages_retention must be a whole number from 1 to 1000000"));
        }
    }

    private static void assertProblem(String document, String problem) throws Exception {
        assertThat(document, LabSettings.problem(JsonParser.create(document).readJsonObject()).orElse("none"), is(problem));
    }
}
