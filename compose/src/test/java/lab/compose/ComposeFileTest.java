package lab.compose;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import lab.consul.discovery.ServiceRegistration;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code compose/compose.yaml} as Debian's docker-compose 1.29 reads it: valid, and the stack the
 * README describes. No Docker engine is needed: {@code docker-compose config} only parses.
 */
class ComposeFileTest {

    private static final Path REPO = Path.of("").toAbsolutePath().getParent();
    private static final Path COMPOSE_FILE = REPO.resolve("compose/compose.yaml");
    private static final List<String> LAB_SERVICES = List.of("facade-1", "facade-2", "logging", "messages");
    private static final List<String> HAZELCAST = List.of("hazelcast-1", "hazelcast-2", "hazelcast-3");
    private static final List<String> SCALABLE = List.of("logging", "messages");

    private static Map<String, Object> normalized;

    @Test
    void dockerComposeAcceptsTheFile() {
        Result check = dockerCompose("config", "-q");
        assertThat("`docker-compose -f " + COMPOSE_FILE + " config -q` failed:\n" + check.stderr(),
                   check.exitCode(), is(0));
    }

    @Test
    void everyServiceIsThere() {
        List<String> expected = new ArrayList<>(List.of("consul", "consul-seed", "management-center", "jaeger", "prometheus",
                                                        "consul-server-1", "consul-server-2", "consul-server-3"));
        expected.addAll(HAZELCAST);
        expected.addAll(LAB_SERVICES);
        assertThat(services().keySet(), containsInAnyOrder(expected.toArray()));
    }

    @Test
    void consulIsAClusterOfThreeServersAndTheServicesTalkToTheHostsClientAgent() {
        List<String> servers = List.of("consul-server-1", "consul-server-2", "consul-server-3");
        for (String name : servers) {
            List<String> command = list(service(name).get("command")).stream().map(String::valueOf).toList();
            assertThat(name, command, hasItems("agent", "-server", "-bootstrap-expect=3"));
            servers.forEach(server -> assertThat(name, command, hasItems("-retry-join=" + server)));
        }
        List<String> agent = list(service("consul").get("command")).stream().map(String::valueOf).toList();
        assertThat("the services' agent is a client agent", agent.contains("-server") || agent.contains("-dev"), is(false));
        servers.forEach(server -> assertThat(agent, hasItems("-retry-join=" + server)));
        for (String name : List.of("consul", "consul-seed", "consul-server-1", "consul-server-2", "consul-server-3")) {
            String image = String.valueOf(service(name).get("image"));
            assertThat(name + " runs a pinned patch release, not " + image,
                       image.matches("hashicorp/consul:\\d+\\.\\d+\\.\\d+"), is(true));
        }
    }

    @Test
    void prometheusFindsTheInstancesThroughConsulAndScrapesTheirMetricsPath() {
        Map<String, Object> prometheus = service("prometheus");
        assertThat(String.valueOf(prometheus.get("image")), startsWith("prom/prometheus:v"));
        assertThat(publishedPorts(prometheus), contains("9090/tcp"));
        Map<String, Object> config = map(new Yaml(new SafeConstructor(new LoaderOptions())).load(
                read(REPO.resolve("compose/prometheus.yml"))));
        Map<String, Object> job = map(list(config.get("scrape_configs")).getFirst());
        Map<String, Object> consul = map(list(job.get("consul_sd_configs")).getFirst());
        assertThat(consul.get("server"), is("consul:8500"));
        assertThat(list(consul.get("services")).stream().map(String::valueOf).toList(),
                   containsInAnyOrder("facade-service", "logging-service", "messages-service"));
        List<String> relabels = list(job.get("relabel_configs")).stream().map(it -> String.valueOf(map(it))).toList();
        assertThat(relabels, hasItem(allOf(containsString("__meta_consul_service_metadata_" + ServiceRegistration.METRICS_PATH_META),
                                           containsString("target_label=__metrics_path__"))));
        for (String label : List.of("service", "instance_id", "host")) {
            assertThat(relabels, hasItem(containsString("target_label=" + label)));
        }
        assertThat(relabels, hasItem(allOf(containsString("__meta_consul_health"), containsString("action=keep"))));
    }

    @Test
    void hostPortsArePublished() {
        Set<String> published = new LinkedHashSet<>();
        services().values().forEach(service -> published.addAll(publishedPorts(map(service))));
        assertThat(published, hasItems("8500/tcp", "8600/udp", "8008/tcp", "16686/tcp", "4317/tcp", "4318/tcp",
                                       "8080/tcp", "8088/tcp"));
        assertThat(publishedPorts(service("consul")), contains("8500/tcp", "8600/udp"));
        assertThat(publishedPorts(service("management-center")), contains("8008/tcp"));
        assertThat(publishedPorts(service("jaeger")), containsInAnyOrder("16686/tcp", "4317/tcp", "4318/tcp"));
        assertThat(publishedPorts(service("facade-1")), contains("8080/tcp"));
        assertThat(publishedPorts(service("facade-2")), contains("8088/tcp"));
    }

    @Test
    void loggingAndMessagesCanScale() {
        for (String name : SCALABLE) {
            Map<String, Object> service = service(name);
            assertThat(name + " must publish no host port, or `--scale " + name + "=N` collides",
                       publishedPorts(service), is(empty()));
            assertThat(name + " must have no container_name, or it cannot scale",
                       service, not(hasKey("container_name")));
        }
        assertThat(replicas("logging"), is(3));
        assertThat(replicas("messages"), is(2));
    }

    @Test
    void labServicesReachConsulAndJaeger() {
        for (String name : LAB_SERVICES) {
            Map<String, String> env = environment(service(name));
            assertThat(name, env.get("CONSUL_HTTP_ADDR"), is("consul:8500"));
            assertThat(name, env.get("CONSUL_SERVICE_ADDRESS"), is("auto"));
            assertThat(name, env.get("OTEL_EXPORTER_OTLP_ENDPOINT"), is("http://jaeger:4318"));
        }
    }

    @Test
    void labServicesAreBuiltFromTheOneDockerfile() {
        for (String name : LAB_SERVICES) {
            Map<String, Object> build = map(service(name).get("build"));
            assertThat(name, Path.of(String.valueOf(build.get("context"))).toAbsolutePath().normalize(),
                       is(REPO.normalize()));
            assertThat(name, build.get("dockerfile"), is("compose/Dockerfile"));
            assertThat(name, map(build.get("args")).get("SERVICE"), is(name.replaceFirst("-\\d+$", "")));
        }
        assertThat(Files.isRegularFile(REPO.resolve("compose/Dockerfile")), is(true));
        assertThat("the build context must not carry build output",
                   read(REPO.resolve(".dockerignore")).lines().map(String::strip).toList(),
                   hasItems("**/target", ".git", ".tools", "compose/.run"));
    }

    @Test
    void theImagesDependencyLayerHasThePomOfEveryModule() {
        // Maven refuses a reactor whose module has no pom: the layer that downloads the dependencies
        // from the poms alone must copy every module's
        String dockerfile = read(REPO.resolve("compose/Dockerfile"));
        List<String> modules = read(REPO.resolve("pom.xml")).lines().map(String::strip)
                .filter(line -> line.startsWith("<module>"))
                .map(line -> line.replaceAll("</?module>", "")).toList();
        assertThat(modules, hasItem("shared-config/hazelcast-client"));
        for (String module : modules) {
            assertThat(dockerfile, containsString("COPY " + module + "/pom.xml " + module + "/\n"));
        }
    }

    @Test
    void imageRunsWithTheJvmFlagsAndSizingTheBuildWroteForTheLauncher() {
        String dockerfile = read(REPO.resolve("compose/Dockerfile"));
        assertThat(dockerfile, containsString("COPY --from=build /src/compose/launcher/target/classes/lab/launcher/jvm.options \\\n"
                + "                  /src/compose/launcher/target/classes/lab/launcher/instance.options /app/"));
        assertThat(dockerfile, containsString("exec java @/app/jvm.options @/app/instance.options"
                + " -XX:AOTCache=/src/${SERVICE}/target/${SERVICE}.aot -jar /src/${SERVICE}/target/${SERVICE}.jar --port 8080"));
        assertThat("the flags are written once, in the parent pom", dockerfile, not(containsString("--add-opens")));
        assertThat("no fixed heap in the image: a share of the container's limit", dockerfile, not(containsString("-Xmx")));
        assertThat(lab.launcher.LabJvm.options(), hasItems("--add-opens", "java.base/java.lang=ALL-UNNAMED"));
        assertThat(lab.launcher.LabJvm.instanceOptions(), hasItems("-XX:MaxRAMPercentage=33", "-XX:MinRAMPercentage=33",
                                                                   "-XX:+ExitOnOutOfMemoryError", "-XX:+UseSerialGC", "-XX:-TieredCompilation", "-Xmn30m",
                                                                   "-XX:SurvivorRatio=5"));
    }

    @Test
    void theImageTrainsItsAotCacheAndAsksReadinessInItsHealthCheck() {
        String dockerfile = read(REPO.resolve("compose/Dockerfile"));
        assertThat(dockerfile, containsString("RUN java -Dlab.home=/src -jar compose/launcher/target/launcher.jar train"));
        assertThat(dockerfile, containsString("COPY --from=build /src/${SERVICE}/target/${SERVICE}.jar /src/${SERVICE}/target/${SERVICE}.aot ./"));
        assertThat(dockerfile, containsString("HEALTHCHECK "));
        assertThat(dockerfile, containsString("GET /observe/health/ready HTTP/1.0"));
    }

    @Test
    void labServicesHaveTheMemoryTheirJvmsAreSizedForAndAskReadiness() {
        String maxRam = option(lab.launcher.LabJvm.localOptions(), "-XX:MaxRAM=");
        for (String name : LAB_SERVICES) {
            Map<String, Object> service = service(name);
            assertThat(name + " mem_limit is local.options' -XX:MaxRAM", bytes(String.valueOf(service.get("mem_limit"))),
                       is(bytes(maxRam)));
            String test = String.join(" ", list(map(service.get("healthcheck")).get("test")).stream().map(String::valueOf).toList());
            assertThat(name, test, containsString("GET /observe/health/ready HTTP/1.0"));
        }
    }

    @Test
    void theFixedYoungGenerationLeavesTheOldOneRoomForWhatStaysLive() {
        // instance.options fixes the young generation (-Xmn) for the requests in flight, not for the memory:
        // lowering lab.instance.memory alone would squeeze the old generation under the ~17 MiB that stays
        // live (R10) and its promotions, i.e. back to back full collections or an OutOfMemoryError
        List<String> options = lab.launcher.LabJvm.instanceOptions();
        long memory = bytes(option(lab.launcher.LabJvm.localOptions(), "-XX:MaxRAM="));
        long heap = memory * Long.parseLong(option(options, "-XX:MaxRAMPercentage=")) / 100;
        long old = heap - bytes(option(options, "-Xmn"));
        assertThat("old generation (MiB) = heap - young, at least twice the live heap", old / (1024 * 1024),
                   greaterThanOrEqualTo(32L));
    }

    private static String option(List<String> options, String prefix) {
        return options.stream().filter(flag -> flag.startsWith(prefix)).findFirst().orElseThrow().substring(prefix.length());
    }

    // "192m", "192M", "201326592" or "201326592b" as bytes
    private static long bytes(String size) {
        String text = size.strip().toLowerCase(java.util.Locale.ROOT);
        long unit = switch (text.charAt(text.length() - 1)) {
            case 'k' -> 1024L;
            case 'm' -> 1024L * 1024;
            case 'g' -> 1024L * 1024 * 1024;
            default -> 1L;
        };
        return Long.parseLong(text.replaceAll("[a-z]+$", "")) * unit;
    }

    @Test
    void labServicesStartAfterTheSeedAndTheCluster() {
        for (String name : LAB_SERVICES) {
            Map<String, Object> dependsOn = map(service(name).get("depends_on"));
            assertThat(name, condition(dependsOn, "consul"), is("service_healthy"));
            assertThat(name + " must not seed Consul's defaults before consul-seed wrote the compose settings",
                       condition(dependsOn, "consul-seed"), is("service_completed_successfully"));
            for (String member : HAZELCAST) {
                assertThat(name, condition(dependsOn, member), is("service_healthy"));
            }
        }
        assertThat(condition(map(service("consul-seed").get("depends_on")), "consul"), is("service_healthy"));
    }

    @Test
    void hazelcastMembersFormOneClusterThatSurvivesLosingTwo() {
        for (String name : HAZELCAST) {
            Map<String, Object> service = service(name);
            Map<String, String> env = environment(service);
            assertThat(name, service.get("image"), is("hazelcast/hazelcast:5.5.0"));
            assertThat(name, env.get("HZ_CLUSTERNAME"), is("distributed-consul-cluster"));
            assertThat(name, env.get("HZ_NETWORK_JOIN_MULTICAST_ENABLED"), is("false"));
            assertThat(name, env.get("HZ_NETWORK_JOIN_TCPIP_ENABLED"), is("true"));
            assertThat(name, env.get("HZ_NETWORK_JOIN_TCPIP_MEMBERS"), is(String.join(",", HAZELCAST)));
            assertThat(name, env.get("HZ_MAP_DEFAULT_BACKUPCOUNT"), is("2"));
            assertThat(name, env.get("HZ_QUEUE_DEFAULT_BACKUPCOUNT"), is("2"));
            assertThat(name + " needs the REST health endpoint for its healthcheck",
                       env.get("HZ_NETWORK_RESTAPI_ENDPOINTGROUPS_HEALTHCHECK_ENABLED"), is("true"));
            assertThat(name, publishedPorts(service), is(empty()));
        }
        Map<String, String> mc = environment(service("management-center"));
        assertThat(mc.get("MC_DEFAULT_CLUSTER"), is("distributed-consul-cluster"));
        assertThat(mc.get("MC_DEFAULT_CLUSTER_MEMBERS"), is(String.join(",", HAZELCAST)));
        for (String name : LAB_SERVICES) {
            assertThat(name + "'s Hazelcast client sends the statistics Management Center shows",
                       environment(service(name)).get("LAB_HAZELCAST_STATISTICS"), is("on"));
        }
    }

    @Test
    void seedPointsTheServicesAtTheComposeCluster() throws IOException {
        JsonNode settings = new ObjectMapper().readTree(read(REPO.resolve("compose/lab_settings.compose.json")));
        JsonNode defaults = new ObjectMapper().readTree(read(REPO.resolve(
                "shared-config/src/main/resources/lab_settings.json")));
        List<String> members = HAZELCAST.stream().map(host -> host + ":5701").toList();

        List<String> listed = IntStream.range(0, settings.path("hazelcast_members").size())
                .mapToObj(i -> settings.path("hazelcast_members").get(i).asText())
                .toList();
        assertThat(listed, is(members));
        assertThat("the members' status is logging's own key, cluster_nodes", settings.has("cluster_nodes"), is(false));
        for (String field : List.of("cluster_name", "queue_name", "map_name", "api-endpoints")) {
            assertThat("same " + field + " as the defaults", settings.get(field), is(defaults.get(field)));
        }
        assertThat(settings.path("cluster_name").asText(),
                   is(environment(service("hazelcast-1")).get("HZ_CLUSTERNAME")));

        Map<String, Object> seed = service("consul-seed");
        assertThat(seed.get("image"), is(service("consul").get("image")));
        assertThat(environment(seed).get("CONSUL_HTTP_ADDR"), is("consul:8500"));
        List<String> volumes = list(seed.get("volumes")).stream().map(ComposeFileTest::volume).toList();
        assertThat(volumes, hasItems(REPO.resolve("compose/lab_settings.compose.json") + ":/seed/lab_settings.json:ro",
                                     REPO.resolve("compose/consul-seed.sh") + ":/seed/consul-seed.sh:ro"));
        assertThat(read(REPO.resolve("compose/consul-seed.sh")), containsString("?cas=0"));
    }

    // ---- docker-compose ----------------------------------------------------------------------------

    private record Result(int exitCode, String stdout, String stderr) {
    }

    private static Result dockerCompose(String... args) {
        Path executable = onPath("docker-compose");
        if (executable == null) {
            fail("docker-compose is not on PATH (" + System.getenv("PATH") + "): install Debian's docker-compose "
                         + "(apt-get install --no-install-recommends docker-compose); no Docker engine is needed");
        }
        List<String> command = new ArrayList<>(List.of(executable.toString(), "-f", COMPOSE_FILE.toString()));
        command.addAll(List.of(args));
        try {
            Path out = Files.createTempFile("compose-config", ".out");
            Path err = Files.createTempFile("compose-config", ".err");
            try {
                Process process = new ProcessBuilder(command)
                        .directory(REPO.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .redirectOutput(out.toFile())
                        .redirectError(err.toFile())
                        .start();
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    fail(String.join(" ", command) + " did not finish within 60 s");
                }
                return new Result(process.exitValue(), read(out), read(err));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new AssertionError("could not run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + String.join(" ", command), e);
        }
    }

    private static Path onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                Path candidate = Path.of(dir, name);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        return null;
    }

    /** The file as `docker-compose config` normalizes it: anchors merged, paths absolute, ports long. */
    private static synchronized Map<String, Object> normalized() {
        if (normalized == null) {
            Result config = dockerCompose("config");
            assertThat("`docker-compose config` failed:\n" + config.stderr(), config.exitCode(), is(0));
            Object parsed = new Yaml(new SafeConstructor(new LoaderOptions())).load(config.stdout());
            normalized = map(parsed);
        }
        return normalized;
    }

    private static Map<String, Object> services() {
        Map<String, Object> services = map(normalized().get("services"));
        assertThat("services in " + COMPOSE_FILE, services.isEmpty(), is(false));
        return services;
    }

    private static Map<String, Object> service(String name) {
        Object service = services().get(name);
        if (service == null) {
            fail("no service " + name + " in " + COMPOSE_FILE + "; there are " + services().keySet());
        }
        return map(service);
    }

    /** Host ports as "8080/tcp", from the long form `config` prints (or the short "8080:8080/udp"). */
    private static List<String> publishedPorts(Map<String, Object> service) {
        List<String> published = new ArrayList<>();
        for (Object port : list(service.get("ports"))) {
            if (port instanceof Map<?, ?> entry) {
                Object host = entry.get("published");
                if (host != null) {
                    Object protocol = entry.get("protocol");
                    published.add(host + "/" + (protocol == null ? "tcp" : protocol));
                }
            } else {
                String spec = String.valueOf(port);
                String protocol = spec.contains("/") ? spec.substring(spec.indexOf('/') + 1) : "tcp";
                String[] parts = spec.replaceFirst("/.*$", "").split(":");
                if (parts.length >= 2) {
                    published.add(parts[parts.length - 2] + "/" + protocol);
                }
            }
        }
        return published;
    }

    /** A volume as "source:target[:ro]", from the short form 1.29 prints or the long form. */
    private static String volume(Object volume) {
        if (volume instanceof Map<?, ?> entry) {
            return entry.get("source") + ":" + entry.get("target")
                    + (Boolean.TRUE.equals(entry.get("read_only")) ? ":ro" : "");
        }
        return String.valueOf(volume);
    }

    private static Map<String, String> environment(Map<String, Object> service) {
        Object env = service.get("environment");
        if (env instanceof List<?> entries) {
            return entries.stream().map(String::valueOf)
                    .collect(Collectors.toMap(e -> e.replaceFirst("=.*$", ""),
                                              e -> e.contains("=") ? e.substring(e.indexOf('=') + 1) : ""));
        }
        return map(env).entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> String.valueOf(e.getValue())));
    }

    private static int replicas(String name) {
        Map<String, Object> service = service(name);
        Object replicas = map(service.get("deploy")).get("replicas");
        Object scale = service.get("scale");
        Object count = replicas != null ? replicas : scale;
        if (count == null) {
            fail(name + " has neither deploy.replicas nor scale");
        }
        return Integer.parseInt(String.valueOf(count));
    }

    private static String condition(Map<String, Object> dependsOn, String service) {
        Object dependency = dependsOn.get(service);
        if (dependency == null) {
            fail("no depends_on " + service + " in " + dependsOn.keySet());
        }
        return String.valueOf(map(dependency).get("condition"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static List<?> list(Object value) {
        return value instanceof List<?> l ? l : List.of();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError("cannot read " + file, e);
        }
    }
}
