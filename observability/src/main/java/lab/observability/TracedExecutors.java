package lab.observability;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import io.opentelemetry.context.Context;

/**
 * Executors whose tasks run in the trace context of whoever submitted them, so spans started on
 * another thread stay in the request's trace.
 */
public final class TracedExecutors {

    private TracedExecutors() {
    }

    /**
     * A virtual thread per task, each in the submitter's trace context.
     *
     * @return executor; close it to wait for the tasks
     */
    public static ExecutorService virtualThreadPerTask() {
        return Context.taskWrapping(Executors.newVirtualThreadPerTaskExecutor());
    }
}
