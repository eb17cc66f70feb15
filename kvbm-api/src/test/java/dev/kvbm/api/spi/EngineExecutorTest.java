package dev.kvbm.api.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class EngineExecutorTest {

    static Runnable awaiting(CountDownLatch gate) {
        return () -> {
            try {
                assertTrue(gate.await(30, TimeUnit.SECONDS), "gate never opened");
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        };
    }

    @Test
    void aSubmitterWaitsForRoomOnceMaxPendingTasksAreQueuedOrRunning() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        try (EngineExecutor pool = new EngineExecutor("test-engine", 1, 3, Duration.ofSeconds(10))) {
            List<CompletableFuture<Void>> tasks = new ArrayList<>();
            AtomicInteger submitted = new AtomicInteger();
            CompletableFuture<Void> submitter = CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 10; i++) {
                    tasks.add(pool.submit(awaiting(gate)));
                    submitted.incrementAndGet();
                }
            });
            assertThrows(TimeoutException.class, () -> submitter.get(300, TimeUnit.MILLISECONDS),
                    "the 4th submission waits: 1 running + 2 queued = 3 pending");
            assertEquals(3, submitted.get());
            assertEquals(3, pool.pendingTasks());
            gate.countDown();
            submitter.get(10, TimeUnit.SECONDS);
            CompletableFuture.allOf(tasks.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            assertEquals(0, pool.pendingTasks());
        }
    }

    @Test
    void aTaskFailureFailsItsFutureOnly() throws Exception {
        try (EngineExecutor pool = new EngineExecutor("test-engine", 2, 4, Duration.ofSeconds(10))) {
            CompletableFuture<Void> bad = pool.submit(() -> {
                throw new KvbmException(ErrorCode.IO_ERROR, "disk gone");
            });
            ExecutionException e = assertThrows(ExecutionException.class, () -> bad.get(10, TimeUnit.SECONDS));
            assertEquals(ErrorCode.IO_ERROR, assertInstanceOf(KvbmException.class, e.getCause()).code());
            pool.submit(() -> { }).get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void closeFinishesSubmittedTasksThenRefusesMore() throws Exception {
        EngineExecutor pool = new EngineExecutor("test-engine", 1, 4, Duration.ofSeconds(10));
        AtomicInteger ran = new AtomicInteger();
        List<CompletableFuture<Void>> tasks = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            tasks.add(pool.submit(ran::incrementAndGet));
        }
        pool.close();
        assertEquals(4, ran.get(), "queued tasks still run");
        tasks.forEach(f -> assertTrue(f.isDone() && !f.isCompletedExceptionally()));
        CompletableFuture<Void> late = pool.submit(ran::incrementAndGet);
        KvbmException k = assertInstanceOf(KvbmException.class,
                assertThrows(ExecutionException.class, () -> late.get(1, TimeUnit.SECONDS)).getCause());
        assertEquals(ErrorCode.INVALID_STATE, k.code());
        assertTrue(k.getMessage().contains("test-engine is closed"), k.getMessage());
    }

    @Test
    void closeIsBoundedAndFailsWhatIsStillQueued() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        EngineExecutor pool = new EngineExecutor("test-engine", 1, 3, Duration.ofMillis(200));
        CompletableFuture<Void> running = pool.submit(awaiting(gate));
        CompletableFuture<Void> queued = pool.submit(() -> { });
        long start = System.nanoTime();
        pool.close();
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "close() is bounded");
        KvbmException k = assertInstanceOf(KvbmException.class,
                assertThrows(ExecutionException.class, () -> queued.get(1, TimeUnit.SECONDS)).getCause());
        assertEquals(ErrorCode.INVALID_STATE, k.code());
        assertFalse(running.isDone(), "a running task is not interrupted");
        gate.countDown();
        running.get(10, TimeUnit.SECONDS);
        assertEquals(0, pool.pendingTasks());
    }

    @Test
    void limitsAreValidated() {
        assertEquals(ErrorCode.INVALID_CONFIG, assertThrows(KvbmException.class,
                () -> new EngineExecutor("x", 0, 1, Duration.ZERO)).code());
        KvbmException k = assertThrows(KvbmException.class, () -> new EngineExecutor("x", 4, 2, Duration.ZERO));
        assertTrue(k.getMessage().contains("maxPendingTasks"), k.getMessage());
    }
}
