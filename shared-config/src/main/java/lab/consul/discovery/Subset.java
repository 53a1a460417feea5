package lab.consul.discovery;

import java.util.Objects;
import java.util.Optional;

import io.helidon.config.Config;

/**
 * The part of a service one watcher asks Consul for, so that a watcher of one zone or shard gets
 * (and is woken by) that part only: Consul applies both on its side.
 *
 * @param tag    only instances registered with this tag ({@code consul.service.tags} of theirs)
 * @param filter a Consul filter expression on the health entries, e.g.
 *               {@code Service.Meta.zone == "a"} ({@code consul.service.meta.*} of theirs)
 */
public record Subset(Optional<String> tag, Optional<String> filter) {

    /** The whole service. */
    public static final Subset ALL = new Subset(Optional.empty(), Optional.empty());

    /**
     * Checks the values.
     */
    public Subset {
        Objects.requireNonNull(tag, "tag");
        Objects.requireNonNull(filter, "filter");
    }

    /**
     * The instances with a tag.
     *
     * @param tag the tag
     * @return subset
     */
    public static Subset tagged(String tag) {
        return new Subset(Optional.of(tag), Optional.empty());
    }

    /**
     * From the {@code consul.discovery} node: {@code tag} and {@code filter}, both optional.
     *
     * @param config the node
     * @return subset, {@link #ALL} when neither is set
     */
    public static Subset create(Config config) {
        return new Subset(config.get("tag").asString().asOptional().map(String::strip).filter(it -> !it.isEmpty()),
                          config.get("filter").asString().asOptional().map(String::strip).filter(it -> !it.isEmpty()));
    }

    @Override
    public String toString() {
        if (this.equals(ALL)) {
            return "all";
        }
        return tag.map(it -> "tag " + it).orElse("") + (tag.isPresent() && filter.isPresent() ? ", " : "")
                + filter.map(it -> "filter " + it).orElse("");
    }
}
