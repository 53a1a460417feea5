package lab.launcher;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

class JsonTest {

    @Test
    void readsWhatConsulAnswers() {
        Object value = Json.parse("""
                [{"Node": {"Address": "127.0.0.1"}, "Service": {"ID": "a\\"b\\u00e9", "Port": 8081, "Tags": [],
                  "Meta": null, "Weights": {"Passing": 1}}, "Checks": [{"Status": "passing", "ok": true}]}]
                """);
        assertThat(value, is(List.of(Map.of(
                "Node", Map.of("Address", "127.0.0.1"),
                "Service", mapWithNull(),
                "Checks", List.of(Map.of("Status", "passing", "ok", true))))));
    }

    @Test
    void refusesWhatIsNotJson() {
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\": 1"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("[1] x"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("nope"));
    }

    private static Map<String, Object> mapWithNull() {
        Map<String, Object> service = new java.util.LinkedHashMap<>();
        service.put("ID", "a\"bé");
        service.put("Port", 8081.0);
        service.put("Tags", List.of());
        service.put("Meta", null);
        service.put("Weights", Map.of("Passing", 1.0));
        return service;
    }
}
