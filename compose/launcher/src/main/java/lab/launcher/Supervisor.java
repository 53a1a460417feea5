package lab.launcher;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * The lab's processes by name: started with their output in {@code <name>.log}, found again by
 * pid, stopped (SIGTERM, then SIGKILL after a grace period), killed, paused and resumed.
 * <p>
 * Two kinds: {@link #owning(Path)} for tests (everything it started is stopped on
 * {@link #close()}), and {@link #detached(Path)} for {@code compose/local.sh}, whose processes
 * outlive the command that started them: it writes {@code pids/<name>.pid} ("pid start-time")
 * and a later command finds them there. The start time guards against a reused pid.
 */
public final class Supervisor implements AutoCloseable {

    private static final Duration GRACE = Duration.ofSeconds(10);
    // A detached process gets its own session, so that a terminal's Ctrl-C or hang-up does not reach it.
    private static final Optional<Path> SETSID = Stream.of("/usr/bin/setsid", "/bin/setsid")
            .map(Path::of).filter(Files::isExecutable).findFirst();

    private final Path logs;
    private final Path pids;
    private final boolean owning;
    private final Map<String, ProcessHandle> started = new LinkedHashMap<>();
    private final Set<String> paused = new HashSet<>();

    private Supervisor(Path logs, Path pids, boolean owning) {
        this.logs = createDirectories(logs);
        this.pids = pids == null ? null : createDirectories(pids);
        this.owning = owning;
    }

    /**
     * A supervisor whose processes end with it.
     *
     * @param logs where {@code <name>.log} files go
     * @return supervisor
     */
    public static Supervisor owning(Path logs) {
        return new Supervisor(logs, null, true);
    }

    /**
     * A supervisor whose processes outlive it, recorded in {@code runDir/pids}, logging to
     * {@code runDir/logs}.
     *
     * @param runDir e.g. {@code compose/.run}
     * @return supervisor
     */
    public static Supervisor detached(Path runDir) {
        return new Supervisor(runDir.resolve("logs"), runDir.resolve("pids"), false);
    }

    /**
     * Starts a process; its standard output and error go to {@link #log(String)}, which it
     * overwrites.
     *
     * @param name        unique name, e.g. {@code logging-8081}
     * @param command     command line
     * @param environment added to this process's environment
     * @return the process
     */
    public ProcessHandle start(String name, List<String> command, Map<String, String> environment) {
        List<String> line = new ArrayList<>();
        if (!owning) {
            SETSID.ifPresent(setsid -> line.add(setsid.toString()));
        }
        line.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(line)
                .redirectInput(new File("/dev/null"))
                .redirectErrorStream(true)
                .redirectOutput(log(name).toFile());
        builder.environment().putAll(environment);
        try {
            ProcessHandle process = builder.start().toHandle();
            started.put(name, process);
            paused.remove(name);
            if (pids != null) {
                Files.writeString(pidFile(name), process.pid() + " "
                        + process.info().startInstant().map(Instant::toEpochMilli).orElse(0L) + "\n");
            }
            return process;
        } catch (IOException e) {
            throw new IllegalStateException("Cannot start " + name + " (" + command.getFirst() + "): " + e.getMessage(), e);
        }
    }

    /**
     * The running process of that name: the very one that was started, alive.
     *
     * @param name process name
     * @return process, empty if it never started, ended, or its pid now belongs to another process
     */
    public Optional<ProcessHandle> process(String name) {
        ProcessHandle known = started.get(name);
        if (known != null) {
            return known.isAlive() ? Optional.of(known) : Optional.empty();
        }
        return recorded(name);
    }

    /**
     * Whether that process runs.
     *
     * @param name process name
     * @return true while it runs
     */
    public boolean alive(String name) {
        return process(name).isPresent();
    }

    /**
     * Every name this supervisor knows: started here or recorded by an earlier command.
     *
     * @return names, sorted
     */
    public List<String> names() {
        Set<String> names = new HashSet<>(started.keySet());
        if (pids != null) {
            try (Stream<Path> files = Files.list(pids)) {
                files.map(file -> file.getFileName().toString())
                        .filter(file -> file.endsWith(".pid"))
                        .forEach(file -> names.add(file.substring(0, file.length() - 4)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return names.stream().sorted().toList();
    }

    /**
     * Stops processes together: SIGTERM to all, then SIGKILL to those still running after 10 s.
     * Forgets them.
     *
     * @param names process names; unknown or ended ones are skipped
     * @return the names that were running
     */
    public List<String> stop(Collection<String> names) {
        return stop(names, GRACE);
    }

    /**
     * Stops processes together: SIGTERM to all, then SIGKILL to those still running after
     * {@code grace} (a JVM writing its AOT cache at exit needs longer than the usual 10 s).
     * Forgets them.
     *
     * @param names process names; unknown or ended ones are skipped
     * @param grace how long they may take to exit
     * @return the names that were running
     */
    public List<String> stop(Collection<String> names, Duration grace) {
        Map<String, ProcessHandle> running = new LinkedHashMap<>();
        for (String name : names) {
            if (paused.contains(name)) {
                // a stopped process would not act on SIGTERM before the grace period is over
                resume(name);
            }
            process(name).ifPresent(process -> running.put(name, process));
        }
        running.values().forEach(ProcessHandle::destroy);
        List<ProcessHandle> left = awaitExit(running.values(), grace);
        left.forEach(ProcessHandle::destroyForcibly);
        awaitExit(left, GRACE);
        names.forEach(this::forget);
        return List.copyOf(running.keySet());
    }

    /**
     * {@code kill -9}: no chance to deregister or say goodbye. Returns when they are gone.
     *
     * @param names process names
     */
    public void kill(String... names) {
        List<ProcessHandle> killed = new ArrayList<>();
        for (String name : names) {
            paused.remove(name);
            process(name).ifPresent(process -> {
                process.destroyForcibly();
                killed.add(process);
            });
        }
        if (!awaitExit(killed, GRACE).isEmpty()) {
            throw new IllegalStateException(String.join(", ", names) + " survived SIGKILL");
        }
    }

    /**
     * {@code kill -STOP}: the process freezes (no heartbeat, no answers) until {@link #resume}.
     *
     * @param name process name
     */
    public void pause(String name) {
        signal(name, "-STOP");
        paused.add(name);
    }

    /**
     * {@code kill -CONT}: a paused process runs on where it stopped.
     *
     * @param name process name
     */
    public void resume(String name) {
        signal(name, "-CONT");
        paused.remove(name);
    }

    /**
     * The log file of a process.
     *
     * @param name process name
     * @return {@code <logs>/<name>.log}
     */
    public Path log(String name) {
        return logs.resolve(name + ".log");
    }

    /**
     * The folder of the log files.
     *
     * @return folder
     */
    public Path logs() {
        return logs;
    }

    /**
     * A process's whole log so far.
     *
     * @param name process name
     * @return text, empty if there is no log
     */
    public String logText(String name) {
        try {
            return Files.readString(log(name));
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * The last lines of a process's log, for error messages.
     *
     * @param name  process name
     * @param lines how many
     * @return text
     */
    public String logTail(String name, int lines) {
        try {
            List<String> all = Files.readAllLines(log(name));
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    /**
     * The last 40 lines of every process's log, for failure messages.
     *
     * @return text
     */
    public String logTails() {
        StringBuilder all = new StringBuilder();
        names().forEach(name -> all.append("\n--- ").append(name).append(" ---\n").append(logTail(name, 40)));
        return all.toString();
    }

    /**
     * An owning supervisor stops everything it started; a detached one leaves it running.
     */
    @Override
    public void close() {
        if (owning) {
            stop(List.copyOf(started.keySet()));
        }
    }

    private Optional<ProcessHandle> recorded(String name) {
        if (pids == null || !Files.exists(pidFile(name))) {
            return Optional.empty();
        }
        try {
            String[] fields = Files.readString(pidFile(name)).trim().split("\\s+");
            long startMillis = fields.length > 1 ? Long.parseLong(fields[1]) : 0;
            return ProcessHandle.of(Long.parseLong(fields[0]))
                    .filter(ProcessHandle::isAlive)
                    // a file without a start time (written by a script) is trusted as it is
                    .filter(process -> startMillis == 0
                            || process.info().startInstant().map(Instant::toEpochMilli).orElse(-1L) == startMillis);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private void forget(String name) {
        started.remove(name);
        paused.remove(name);
        if (pids != null) {
            try {
                Files.deleteIfExists(pidFile(name));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private Path pidFile(String name) {
        return pids.resolve(name + ".pid");
    }

    private void signal(String name, String signal) {
        long pid = process(name).orElseThrow(() -> new IllegalStateException(name + " is not running")).pid();
        try {
            Process kill = new ProcessBuilder("kill", signal, Long.toString(pid)).redirectErrorStream(true).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill " + signal + " " + pid + " (" + name + ") failed: "
                                                        + new String(kill.getInputStream().readAllBytes()));
            }
        } catch (IOException e) {
            throw new IllegalStateException("Cannot run kill: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // Returns the processes still running after the timeout.
    private static List<ProcessHandle> awaitExit(Collection<ProcessHandle> processes, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<ProcessHandle> left = new ArrayList<>();
        for (ProcessHandle process : processes) {
            try {
                CompletableFuture<ProcessHandle> exit = process.onExit();
                exit.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                left.add(process);
            } catch (ExecutionException e) {
                left.add(process);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                left.add(process);
            }
        }
        return left;
    }

    private static Path createDirectories(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
