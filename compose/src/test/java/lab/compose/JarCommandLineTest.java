package lab.compose;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import lab.launcher.LabJvm;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/**
 * Every service jar answers {@code --help} with its usage and exit 0, and an unknown option with
 * one line and exit 2, before it touches Consul: no stack trace.
 */
class JarCommandLineTest {

    @Test
    void helpAndUnknownOptions() throws IOException, InterruptedException {
        for (String service : List.of("facade", "logging", "messages")) {
            Result help = run(service, "--help");
            assertThat(service + " --help: " + help.output(), help.exit(), is(0));
            assertThat(help.output(), containsString("usage: java -jar " + service + ".jar [--port N]"));
            assertThat(help.output(), containsString("CONSUL_HTTP_ADDR"));

            Result unknown = run(service, "--bogus");
            assertThat(service + " --bogus: " + unknown.output(), unknown.exit(), is(2));
            assertThat(unknown.output().strip(), is(service + ": unknown option --bogus (--help lists the options)"));
            assertThat(unknown.output(), not(containsString("\tat ")));
        }
    }

    private static Result run(String service, String arg) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(LabJvm.java(), "-jar",
                                                       LabProcesses.REPO.resolve(service + "/target/" + service + ".jar").toString(), arg));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat("finished", process.waitFor(60, TimeUnit.SECONDS), is(true));
        return new Result(process.exitValue(), output);
    }

    private record Result(int exit, String output) {
    }
}
