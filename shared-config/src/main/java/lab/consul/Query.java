package lab.consul;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The query parameters of one call to Consul, e.g. {@code index}, {@code wait}, {@code stale},
 * {@code passing}: each {@link #with} returns a new query.
 *
 * @param params names and values, in order; an empty value is a flag ({@code ?stale})
 */
public record Query(Map<String, String> params) {

    /** No parameters. */
    public static final Query NONE = new Query(Map.of());

    /**
     * Copies the parameters.
     *
     * @param params names and values
     */
    public Query {
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }

    /**
     * This query and a flag.
     *
     * @param flag e.g. {@code passing}
     * @return new query
     */
    public Query with(String flag) {
        return with(flag, "");
    }

    /**
     * This query and a parameter (replacing one of the same name).
     *
     * @param name  parameter name
     * @param value its value (encoded when sent)
     * @return new query
     */
    public Query with(String name, Object value) {
        Map<String, String> more = new LinkedHashMap<>(params);
        more.put(name, String.valueOf(value));
        return new Query(more);
    }
}
