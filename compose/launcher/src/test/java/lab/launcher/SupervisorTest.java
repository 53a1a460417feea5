package lab.launcher;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

/**
 * Real processes ({@code sh}, {@code sleep}) under a supervisor.
 */
class SupervisorTest {

    private static final List<String> SLEEPER = List.of("sh", "-c", "echo started $LABEL; exec sleep 60");

    @TempDir
    Path run;

    @Test
    void aDetachedProcessOutlivesItsSupervisorAndALaterOneStopsIt() {
        ProcessHandle process;
        try (Supervisor first = Supervisor.detached(run)) {
            process = first.start("sleeper", SLEEPER, Map.of("LABEL", "one"));
        }
        assertThat("still running after the supervisor closed", process.isAlive(), is(true));

        Supervisor later = Supervisor.detached(run);
        assertThat(later.names(), is(List.of("sleeper")));
        assertThat(later.process("sleeper").map(ProcessHandle::pid).orElse(-1L), is(process.pid()));
        Eventually.await(Duration.ofSeconds(5), () -> later.logText("sleeper").contains("started one"), "the log");

        assertThat(later.stop(List.of("sleeper")), is(List.of("sleeper")));
        assertThat(process.isAlive(), is(false));
        assertThat("forgotten", later.names(), is(List.of()));
    }

    @Test
    void aRecordedPidThatNowBelongsToAnotherProcessIsNotTakenForIt() throws Exception {
        Files.createDirectories(run.resolve("pids"));
        // our own pid, with a start time that is not ours: the pid was reused
        Files.writeString(run.resolve("pids/old.pid"), ProcessHandle.current().pid() + " 1000\n");
        Supervisor supervisor = Supervisor.detached(run);
        assertThat(supervisor.alive("old"), is(false));
        assertThat("nothing stopped", supervisor.stop(List.of("old")), is(List.of()));
    }

    @Test
    void anOwningSupervisorStopsWhatItStartedAndAProcessThatIgnoresSigtermIsKilled() {
        ProcessHandle stubborn;
        ProcessHandle paused;
        try (Supervisor supervisor = Supervisor.owning(run)) {
            stubborn = supervisor.start("stubborn", List.of("sh", "-c", "trap '' TERM; while true; do sleep 1; done"), Map.of());
            paused = supervisor.start("paused", SLEEPER, Map.of());
            supervisor.pause("paused");
        }
        assertThat(stubborn.isAlive(), is(false));
        assertThat("a paused process is resumed, then stopped", paused.isAlive(), is(false));
    }

    @Test
    void killEndsAtOnceAndTheLogTailNamesEachProcess() {
        try (Supervisor supervisor = Supervisor.owning(run)) {
            ProcessHandle process = supervisor.start("victim", SLEEPER, Map.of("LABEL", "victim"));
            Eventually.await(Duration.ofSeconds(5), () -> supervisor.logText("victim").contains("started"), "the log");
            supervisor.kill("victim");
            assertThat(process.isAlive(), is(false));
            assertThat(supervisor.alive("victim"), is(false));
            assertThat(supervisor.logTails(), containsString("--- victim ---\nstarted victim"));
        }
    }
}
