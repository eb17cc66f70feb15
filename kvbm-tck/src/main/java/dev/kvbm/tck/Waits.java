package dev.kvbm.tck;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/** Bounded waits for the contracts: a hung provider fails its test with what it waited for, never hangs the build. */
final class Waits {
    private Waits() {
    }

    /** The future's value; fails the test when {@code timeout} passes first; a failed future throws its cause. */
    static <T> T await(CompletableFuture<T> future, Duration timeout, String what) {
        try {
            return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return fail(what + " did not complete within " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted while waiting for " + what);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** The failure of a future that must fail within {@code timeout}, or what the call threw; fails the test otherwise. */
    static Throwable failureOf(java.util.function.Supplier<? extends CompletableFuture<?>> call, Duration timeout,
                               String what) {
        CompletableFuture<?> f;
        try {
            f = call.get();
        } catch (RuntimeException e) {
            return e;
        }
        try {
            f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            return fail(what + " neither failed nor completed within " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted while waiting for " + what);
        }
        return fail(what + " completed normally; it must fail");
    }

    /** Polls {@code condition} every 10 ms until it holds; fails the test when {@code timeout} passes first. */
    static void until(BooleanSupplier condition, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail(what + " did not happen within " + timeout.toMillis() + " ms");
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted while waiting for " + what);
            }
        }
    }
}
