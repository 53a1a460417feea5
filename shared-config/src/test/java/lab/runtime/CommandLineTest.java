package lab.runtime;

import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;

class CommandLineTest {

    @Test
    void aPortInEitherFormOrNothing() {
        assertThat(CommandLine.parse("facade-service"), is(new CommandLine.Run(Map.of())));
        assertThat(CommandLine.parse("facade-service", "--port", "0"), is(new CommandLine.Run(Map.of("server.port", "0"))));
        assertThat(CommandLine.parse("facade-service", "--port=8088"), is(new CommandLine.Run(Map.of("server.port", "8088"))));
    }

    @Test
    void helpListsTheOptionsAndTheEnvironment() {
        CommandLine.Parsed help = CommandLine.parse("logging-service", "--port", "1", "--help");
        assertThat(help, instanceOf(CommandLine.Help.class));
        String usage = ((CommandLine.Help) help).usage();
        assertThat(usage, containsString("usage: java -jar logging.jar [--port N]"));
        for (String variable : new String[] {"CONSUL_HTTP_ADDR", "CONSUL_HTTP_TOKEN_FILE", "CONSUL_CACERT", "CONSUL_FAIL_FAST",
                                             "CONSUL_DISCOVERY_FILTER", "CONSUL_READ_CONSISTENCY", "OTEL_", "LAB_METRICS", "LAB_HAZELCAST_STATISTICS"}) {
            assertThat(usage, containsString(variable));
        }
    }

    @Test
    void anythingElseIsOneLine() {
        assertThat(CommandLine.parse("facade-service", "--verbose"),
                   is(new CommandLine.Invalid("facade: unknown option --verbose (--help lists the options)")));
        assertThat(CommandLine.parse("facade-service", "--port", "eighty"),
                   is(new CommandLine.Invalid("facade: --port wants a number from 0 to 65535, not eighty")));
        assertThat(CommandLine.parse("facade-service", "--port"),
                   is(new CommandLine.Invalid("facade: unknown option --port (--help lists the options)")));
    }
}
