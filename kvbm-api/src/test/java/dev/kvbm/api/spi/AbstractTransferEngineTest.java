package dev.kvbm.api.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The base class on its {@link EngineExecutor}: the bound, the failure wrapping and the close order hold together. */
class AbstractTransferEngineTest {

    /** Runs the parts it is given, one per pair; records when its parts ran and when it was closed. */
    static final class ScriptedEngine extends AbstractTransferEngine {
        final Queue<String> log = new ConcurrentLinkedQueue<>();
        volatile List<Runnable> parts = List.of();

        ScriptedEngine(int threads, int maxPendingTasks, Duration closeTimeout) {
            super("scripted", new EngineExecutor("test-scripted", threads, maxPendingTasks, closeTimeout));
        }

        @Override
        protected CompletableFuture<Void> start(PhysicalLayout source, PhysicalLayout target, List<BlockPair> pairs) {
            return runAll(parts);
        }

        @Override
        protected void onClose() {
            log.add("onClose");
        }

        int pending() {
            return workers().pendingTasks();
        }
    }

    private static Runnable gated(CountDownLatch gate, Queue<String> log, String name) {
        return () -> {
            try {
                assertTrue(gate.await(30, TimeUnit.SECONDS), "gate never opened");
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            log.add(name);
        };
    }

    private static KvbmException failureOf(CompletableFuture<Void> f) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
        return assertInstanceOf(KvbmException.class, e.getCause());
    }

    @Test
    void aTransferBeyondTheBoundWaitsOnTheCallersThreadThenCompletes() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        ScriptedEngine engine = new ScriptedEngine(1, 2, Duration.ofSeconds(10));
        try {
            engine.parts = List.of(gated(gate, engine.log, "a"), gated(gate, engine.log, "b"), gated(gate, engine.log, "c"));
            CompletableFuture<CompletableFuture<Void>> call = new CompletableFuture<>();
            Thread.ofPlatform().daemon().start(() -> call.complete(engine.transfer(null, null, List.of())));
            assertThrows(TimeoutException.class, () -> call.get(300, TimeUnit.MILLISECONDS),
                    "the third part waits for room: 1 running + 1 queued = 2 pending");
            assertEquals(2, engine.pending());
            gate.countDown();
            call.get(10, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS);
            assertEquals(3, engine.log.size());
            assertEquals(0, engine.pending());
        } finally {
            gate.countDown();
            engine.close();
        }
    }

    @Test
    void aFailingPartFailsTheTransferAsTransferFailedWithItsCause() {
        try (ScriptedEngine engine = new ScriptedEngine(2, 4, Duration.ofSeconds(10))) {
            engine.parts = List.of(() -> { }, () -> {
                throw new KvbmException(ErrorCode.IO_ERROR, "disk gone");
            });
            KvbmException k = failureOf(engine.transfer(null, null, List.of()));
            assertEquals(ErrorCode.TRANSFER_FAILED, k.code());
            assertTrue(k.getMessage().startsWith("scripted transfer failed"), k.getMessage());
            assertEquals(ErrorCode.IO_ERROR, assertInstanceOf(KvbmException.class, k.getCause()).code());
        }
    }

    @Test
    void closeLetsQueuedPartsFinishThenRunsOnCloseThenRefuses() {
        ScriptedEngine engine = new ScriptedEngine(1, 8, Duration.ofSeconds(10));
        AtomicInteger ran = new AtomicInteger();
        engine.parts = List.of(ran::incrementAndGet, ran::incrementAndGet, () -> engine.log.add("last part"));
        CompletableFuture<Void> accepted = engine.transfer(null, null, List.of());
        engine.close();
        engine.close();
        assertTrue(accepted.isDone() && !accepted.isCompletedExceptionally(), "an accepted transfer completes");
        assertEquals(2, ran.get());
        assertEquals(List.of("last part", "onClose"), List.copyOf(engine.log), "onClose after every part ran, once");
        KvbmException k = failureOf(engine.transfer(null, null, List.of()));
        assertEquals(ErrorCode.TRANSFER_FAILED, k.code());
        assertEquals(ErrorCode.INVALID_STATE, assertInstanceOf(KvbmException.class, k.getCause()).code());
        assertTrue(k.getMessage().contains("closed"), k.getMessage());
    }

    @Test
    void closeIsBoundedFailsWhatIsQueuedAndSkipsOnCloseWhileAPartStillRuns() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        ScriptedEngine engine = new ScriptedEngine(1, 4, Duration.ofMillis(200));
        engine.parts = List.of(gated(gate, engine.log, "running"));
        CompletableFuture<Void> running = engine.transfer(null, null, List.of());
        engine.parts = List.of(() -> engine.log.add("queued"));
        CompletableFuture<Void> queued = engine.transfer(null, null, List.of());
        long start = System.nanoTime();
        engine.close();
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "close() is bounded");
        KvbmException k = failureOf(queued);
        assertEquals(ErrorCode.TRANSFER_FAILED, k.code());
        assertEquals(ErrorCode.INVALID_STATE, assertInstanceOf(KvbmException.class, k.getCause()).code());
        assertFalse(running.isDone(), "a running part is not interrupted");
        assertFalse(engine.log.contains("onClose"), "resources a running part uses are not released");
        gate.countDown();
        running.get(10, TimeUnit.SECONDS);
        assertEquals(List.of("running"), List.copyOf(engine.log));
    }
}
