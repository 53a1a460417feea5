package lab.observability;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;

/**
 * Executors whose tasks run in the trace context of whoever submitted them, so spans started on
 * another thread stay in the request's trace and log lines there carry its trace id.
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
        // Correlation outside, context inside: the context is current by the time the task's log ids are read.
        return new LogCorrelating(Context.taskWrapping(Executors.newVirtualThreadPerTaskExecutor()));
    }

    private static final class LogCorrelating extends AbstractExecutorService {

        private final ExecutorService delegate;

        private LogCorrelating(ExecutorService delegate) {
            this.delegate = delegate;
        }

        @Override
        public void execute(Runnable task) {
            delegate.execute(() -> {
                try (LogCorrelation ignored = LogCorrelation.open(Span.current())) {
                    task.run();
                }
            });
        }

        @Override
        public void shutdown() {
            delegate.shutdown();
        }

        @Override
        public List<Runnable> shutdownNow() {
            return delegate.shutdownNow();
        }

        @Override
        public boolean isShutdown() {
            return delegate.isShutdown();
        }

        @Override
        public boolean isTerminated() {
            return delegate.isTerminated();
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
            return delegate.awaitTermination(timeout, unit);
        }
    }
}
