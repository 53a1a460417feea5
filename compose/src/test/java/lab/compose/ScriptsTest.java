package lab.compose;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every shell script of the project passes {@code shellcheck -S warning}: scripts stay thin and
 * clean, and CI says so (compose/install-test-tools.sh installs Debian's shellcheck).
 */
class ScriptsTest {

    private static final Path REPO = Path.of("").toAbsolutePath().getParent();
    private static final Set<String> NOT_OURS = Set.of("target", ".run", ".tools", ".git", "node_modules");

    @Test
    void everyScriptPassesShellcheck() throws IOException, InterruptedException {
        List<String> scripts = scripts();
        assertThat("scripts under " + REPO, scripts, is(not(empty())));
        Path shellcheck = Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, "shellcheck"))
                .filter(Files::isExecutable)
                .findFirst()
                .orElse(null);
        if (shellcheck == null) {
            fail("shellcheck is not on PATH: run compose/install-test-tools.sh (or apt-get install shellcheck)");
        }
        List<String> command = new ArrayList<>(List.of(shellcheck.toString(), "-S", "warning"));
        command.addAll(scripts);
        Process process = new ProcessBuilder(command).directory(REPO.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat("shellcheck did not finish", process.waitFor(60, TimeUnit.SECONDS), is(true));
        assertThat("shellcheck -S warning " + String.join(" ", scripts) + ":\n" + output, process.exitValue(), is(0));
    }

    private static List<String> scripts() throws IOException {
        List<String> scripts = new ArrayList<>();
        scripts.add(".ci/run");
        try (Stream<Path> files = Files.walk(REPO)) {
            files.filter(file -> file.toString().endsWith(".sh"))
                    .filter(file -> REPO.relativize(file).toString().split("/").length > 0
                            && Stream.of(REPO.relativize(file).toString().split("/")).noneMatch(NOT_OURS::contains))
                    .map(file -> REPO.relativize(file).toString())
                    .sorted()
                    .forEach(scripts::add);
        }
        return scripts;
    }
}
