package lab.consul.config;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.Function;

import io.helidon.common.media.type.MediaType;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.config.Config;
import io.helidon.config.ConfigException;
import io.helidon.config.spi.ConfigParser;
import io.helidon.config.spi.ParsableSource;
import io.helidon.json.JsonException;
import io.helidon.json.JsonObject;
import lab.consul.ConsulClients;
import lab.consul.ConsulConnection;
import lab.consul.ConsulErrors;
import lab.consul.ConsulKey;
import lab.consul.KvEntry;
import lab.consul.access.ConsulDenials;
import lab.json.Json;

/**
 * A Helidon config source that reads one document (JSON by default, which {@link JsonConfigParser}
 * parses; YAML for a {@code .yaml} key) from a Consul KV key and, unless told otherwise, reloads it
 * live through a {@link ConsulWatcher}.
 * <p>
 * From code: {@code ConsulConfigSource.builder().endpoint(e).key("lab_settings").build()}; from
 * meta-config: {@code type: consul} with {@code properties: key, address, watch, optional}.
 */
public final class ConsulConfigSource extends ConsulKeySource implements ParsableSource {

    private static final System.Logger LOGGER = System.getLogger(ConsulConfigSource.class.getName());

    private final boolean validateJson;
    private final Function<JsonObject, Optional<String>> validator;
    private volatile String lastGood;
    private volatile Status status = new Status(0, Optional.empty());
    private final java.util.concurrent.atomic.LongAdder rejected = new java.util.concurrent.atomic.LongAdder();

    private ConsulConfigSource(Builder builder) {
        super(builder, builder.target);
        this.validateJson = builder.json;
        this.validator = builder.validator;
    }

    /**
     * A builder.
     *
     * @return new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A source for the given meta-config ({@code key}, {@code address}, {@code watch}, ...).
     *
     * @param metaConfig meta-config node
     * @return config source
     */
    public static ConsulConfigSource create(Config metaConfig) {
        return builder().config(metaConfig).build();
    }

    @Override
    public Optional<ConfigParser> parser() {
        return super.parser();
    }

    @Override
    public Optional<MediaType> mediaType() {
        return super.mediaType();
    }

    @Override
    public Optional<ConfigParser.Content> load() throws ConfigException {
        Optional<KvEntry> value;
        // A read opens and closes its own connection: a config source has no end in Helidon's
        // lifecycle to close one at, and it reads only at start and after a change.
        try (ConsulConnection client = ConsulClients.create(target().endpoint())) {
            value = client.kv(target().key());
        } catch (RuntimeException e) {
            ConsulDenials.denied(e, "reading " + target().key(), "key:read on \"" + target().key() + "\"");
            watcher().ifPresent(ConsulWatcher::readFailed);
            throw new ConfigException("Cannot read Consul key " + target() + ": " + ConsulErrors.describe(e), e);
        }
        ConsulDenials.allowed("reading " + target().key());
        Optional<String> text = value.flatMap(KvEntry::value);
        if (text.isEmpty()) {
            status = new Status(0, Optional.empty());
            return Optional.empty();
        }
        String content = text.get();
        long index = value.get().modifyIndex();
        // what the watch puts back if Consul loses the key: this read, newer than its last answer
        watcher().ifPresent(watcher -> watcher.read(text.get()));
        Optional<String> problem = problem(content);
        status = new Status(index, problem);
        if (problem.isPresent()) {
            rejected.increment();
            LOGGER.log(System.Logger.Level.WARNING, "Consul key " + target().key() + " at index " + index
                    + " is malformed (" + problem.get() + "); keeping the last good config");
            content = lastGood;
            if (content == null) {
                return Optional.empty();
            }
        } else {
            lastGood = content;
        }
        return Optional.of(ConfigParser.Content.builder()
                                   .data(new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)))
                                   .charset(StandardCharsets.UTF_8)
                                   .stamp(index)
                                   .build());
    }

    /**
     * Malformed documents read (and not used) since the start.
     *
     * @return count
     */
    public long rejected() {
        return rejected.sum();
    }

    /**
     * What the last read found: the KV index and, when the content was malformed, why.
     *
     * @return status of the last read
     */
    public Status status() {
        return status;
    }

    // Helidon's parser would fail the whole reload; a JSON document is checked here first.
    private Optional<String> problem(String content) {
        if (!validateJson) {
            return Optional.empty();
        }
        try {
            return validator.apply(Json.object(content));
        } catch (JsonException e) {
            return Optional.of(e.getMessage().startsWith("not ") ? e.getMessage() : "not JSON: " + e.getMessage());
        }
    }

    /**
     * The outcome of the last read.
     *
     * @param index   Consul's modify index of the value read, 0 when the key was missing
     * @param problem why the value was rejected, empty when it was used
     */
    public record Status(long index, Optional<String> problem) {
    }

    /**
     * Builds a {@link ConsulConfigSource}.
     */
    public static final class Builder extends ConsulSourceBuilder<Builder>
            implements ParsableSource.Builder<Builder>,
                       io.helidon.common.Builder<Builder, ConsulConfigSource> {

        private String key;
        private boolean restoreWhenMissing;
        private MediaType mediaType;
        private boolean json;
        private Function<JsonObject, Optional<String>> validator = document -> Optional.empty();
        private ConsulKey target;

        private Builder() {
        }

        @Override
        public ConsulConfigSource build() {
            if (key == null || key.isBlank()) {
                throw new IllegalStateException("the Consul KV key is required (key in meta-config)");
            }
            target = new ConsulKey(endpoint(), key);
            MediaType type = mediaType != null ? mediaType : MediaTypes.detectType(key).orElse(MediaTypes.APPLICATION_JSON);
            super.mediaType(type);
            json = type.equals(MediaTypes.APPLICATION_JSON);
            watchWith(ConsulWatcher.create(restoreWhenMissing, readMode()));
            return new ConsulConfigSource(this);
        }

        /**
         * Reads {@code key} and {@code restore-when-missing}, plus {@code address}, {@code watch} and
         * Helidon's common source properties ({@code optional}, {@code media-type}).
         *
         * @param metaConfig meta-config node
         * @return updated builder
         */
        @Override
        public Builder config(Config metaConfig) {
            metaConfig.get("key").asString().ifPresent(this::key);
            metaConfig.get("restore-when-missing").asBoolean().ifPresent(this::restoreWhenMissing);
            return super.config(metaConfig);
        }

        /**
         * KV key of the document; required.
         *
         * @param key KV key
         * @return updated builder
         */
        public Builder key(String key) {
            this.key = key;
            return this;
        }

        /**
         * Whether the watch writes the last document back (create-only) when the key disappears,
         * e.g. because a {@code -dev} agent restarted and forgot all KV; default {@code false}.
         *
         * @param restore whether to restore
         * @return updated builder
         */
        public Builder restoreWhenMissing(boolean restore) {
            this.restoreWhenMissing = restore;
            return this;
        }

        /**
         * Checks a JSON document beyond syntax; a document it rejects is not used (the last good
         * one stays) and the reason shows in {@link ConsulConfigSource#status()}.
         *
         * @param validator returns why the document is unusable, or empty
         * @return updated builder
         */
        public Builder validator(Function<JsonObject, Optional<String>> validator) {
            this.validator = validator;
            return this;
        }

        @Override
        public Builder mediaType(MediaType mediaType) {
            this.mediaType = mediaType;
            return this;
        }

        @Override
        public Builder parser(ConfigParser parser) {
            return super.parser(parser);
        }
    }
}
