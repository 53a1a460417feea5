package lab.launcher;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * {@code compose/local.sh}'s commands: {@code java -Dlab.home=<repo> -jar launcher.jar COMMAND}.
 */
public final class Main {

    private static final String USAGE = """
            usage: compose/local.sh COMMAND
              up [--cluster | --secure]
                                 start Consul, Hazelcast and the 7 instances; wait until all pass
                                 (--cluster: 3 Consul servers on 127.0.0.11-13 and 3 hosts on
                                 127.0.0.21-23, each with its client agent, member and instances;
                                 --secure: Consul on HTTPS only with client certificates and ACLs
                                 default deny, a token per service from compose/acl, in
                                 compose/.run/secure)
              down               stop everything up started (services, then Hazelcast, then Consul)
              train              train the services' AOT caches that are missing or older than their
                                 jars (up does it too), on a Consul and Hazelcast of its own
              status             processes, and Consul's health of every instance
              restart NAME...    start stopped or killed instances again (logging-8085, ...)
              start NAME SERVICE PORT [baseline]
                                 one more instance (e.g. for a benchmark), waits until it passes;
                                 baseline: as before its sizing and AOT cache (-Xmx256m)
              stop NAME...       stop processes by name
              await SECONDS      wait until the 7 instances pass again (e.g. after Consul stood still)
              pids               "name pid" of every running process
              env                the layout as bash assignments (LAB_CONSUL_URL, LAB_INSTANCES, ...)
              command SERVICE PORT [baseline]
                                 the command line of an instance, an argument per line;
                                 baseline: as before its sizing and AOT cache (-Xmx256m)
            """;

    private Main() {
    }

    /**
     * Runs one command; exits with 1 and a one-line reason when it fails, 2 on bad usage.
     *
     * @param args command and its arguments
     */
    public static void main(String[] args) {
        Path home = Path.of(System.getProperty("lab.home", "")).toAbsolutePath();
        Duration upTimeout = Duration.ofSeconds(Long.parseLong(System.getenv().getOrDefault("UP_TIMEOUT", "120")));
        LocalLab lab = new LocalLab(home, System.out, upTimeout);
        List<String> rest = args.length == 0 ? List.of() : Arrays.asList(args).subList(1, args.length);
        try {
            switch (args.length == 0 ? "" : args[0]) {
                case "up" -> lab.up(shape(rest));
                case "_infra" -> lab.infra(shape(rest));
                case "down" -> lab.down();
                case "train" -> lab.train();
                case "status" -> lab.status();
                case "restart" -> lab.restart(atLeastOne(rest));
                case "start" -> lab.start(arg(rest, 0), arg(rest, 1), number(arg(rest, 2)),
                                          rest.size() > 3 && arg(rest, 3).equals("baseline"));
                case "stop" -> lab.stop(atLeastOne(rest));
                case "await" -> lab.await(Duration.ofSeconds(number(arg(rest, 0))));
                case "pids" -> lab.pids();
                case "env" -> lab.env();
                case "command" -> lab.command(arg(rest, 0), number(arg(rest, 1)),
                                              rest.size() > 2 && arg(rest, 2).equals("baseline"));
                default -> usage();
            }
        } catch (LocalLab.LabException | Eventually.GiveUp | IllegalStateException | AssertionError e) {
            System.err.println("local.sh: ERROR: " + e.getMessage());
            System.exit(1);
        }
    }

    private static String shape(List<String> options) {
        if (options.isEmpty()) {
            return "dev";
        }
        if (options.size() > 1 || !List.of("--cluster", "--secure").contains(options.getFirst())) {
            usage();
        }
        return options.getFirst().substring(2);
    }

    private static List<String> atLeastOne(List<String> names) {
        if (names.isEmpty()) {
            usage();
        }
        return names;
    }

    private static String arg(List<String> args, int index) {
        if (index >= args.size()) {
            usage();
        }
        return args.get(index);
    }

    private static int number(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            usage();
            return -1;
        }
    }

    private static void usage() {
        System.err.print(USAGE);
        System.exit(2);
    }
}
