package dev.kvbm.core.manager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.Tier;
import dev.kvbm.core.integrity.IntegrityMode;
import dev.kvbm.core.offload.PathStats;
import dev.kvbm.core.testing.TestProviders;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How a request's blocks reach an offload lane (one hand-off, full batches) and how awaitOffloads waits (a signal). */
class OffloadBatchingTest {
    final TestProviders.CopyEngineProvider engine = new TestProviders.CopyEngineProvider();
    final CountDownLatch gate = new CountDownLatch(1);
    final ExecutorService io = Executors.newSingleThreadExecutor(r -> new Thread(r, "test-io"));
    final ExecutorService callers = Executors.newCachedThreadPool();

    KvBlockManager.Builder builder() {
        return KvBlockManager.builder().geometry(KvBlockManagerTest.GEOMETRY).providers(TestProviders.registry(engine))
                .integrity(IntegrityMode.ALWAYS);
    }

    @AfterEach
    void nothingLeaked() throws InterruptedException {
        gate.countDown();
        io.shutdownNow();
        callers.shutdownNow();
        assertTrue(io.awaitTermination(10, TimeUnit.SECONDS));
        assertEquals(0, TestProviders.ArenaTierProvider.OUTSTANDING.get(), "storage left allocated");
    }

    /** Copies on the "io" thread once the gate opens. */
    void gatedIo() {
        engine.executor = task -> io.execute(() -> {
            try {
                assertTrue(gate.await(30, TimeUnit.SECONDS), "gate never opened");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            task.run();
        });
    }

    static void commitFresh(KvBlockManager m, long[] ids) {
        try (PreparedRequest p = m.prepare(ids)) {
            OffloadHazardsTest.compute(m, p, ids);
            m.commit(p);
        }
    }

    @Test
    void aRequestsBlocksReachTheLaneTogetherAndMoveInFullBatches() {
        try (KvBlockManager m = builder().tierBlocks(Tier.G1, 128).tierBlocks(Tier.G2, 256).batchSize(16).build()) {
            for (int request = 0; request < 3; request++) {
                long[] ids = OffloadHazardsTest.ids(64);
                for (int i = 0; i < ids.length; i++) {
                    ids[i] += 1000L * request;
                }
                commitFresh(m, ids);
                m.awaitOffloads();
            }
            PathStats path = m.pathStats().get("G1->G2");
            assertEquals(3 * 64, path.blocks());
            // Block by block the lane's thread would wake on the first block and copy what had arrived by then.
            assertEquals(3 * 64 / 16, path.transfers(), "every transfer a full batch of 16");
            for (long id : new long[] {1, 64, 1001, 2064}) {
                assertTrue(m.tier(Tier.G2).pool().contains(id), "block " + id + " reached G2");
            }
        }
    }

    @Test
    void awaitOffloadsSleepsUntilSignalledAndReturnsOnceTheLaneSettles() throws Exception {
        gatedIo();
        try (KvBlockManager m = builder().tierBlocks(Tier.G1, 8).tierBlocks(Tier.G2, 16).build()) {
            long[] ids = OffloadHazardsTest.ids(4);
            commitFresh(m, ids);
            AtomicReference<Thread> waiter = new AtomicReference<>();
            CompletableFuture<Void> awaiting = CompletableFuture.runAsync(() -> {
                waiter.set(Thread.currentThread());
                m.awaitOffloads();
            }, callers);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while ((waiter.get() == null || waiter.get().getState() != Thread.State.WAITING)
                    && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            // A poll would be seen TIMED_WAITING (parked for its interval) or RUNNABLE between parks.
            for (int sample = 0; sample < 50; sample++) {
                assertEquals(Thread.State.WAITING, waiter.get().getState(), "sample " + sample);
                assertFalse(awaiting.isDone(), "the copies are held back by the gate");
                Thread.sleep(2);
            }
            gate.countDown();
            awaiting.get(10, TimeUnit.SECONDS);
            for (long id : ids) {
                assertTrue(m.tier(Tier.G2).pool().contains(id), "block " + id + " reached G2 before awaitOffloads returned");
            }
        }
    }

    @Test
    void awaitOffloadsKeepsWaitingThroughAnInterruptAndKeepsTheInterruptStatus() throws Exception {
        gatedIo();
        try (KvBlockManager m = builder().tierBlocks(Tier.G1, 8).tierBlocks(Tier.G2, 16).build()) {
            commitFresh(m, OffloadHazardsTest.ids(2));
            AtomicReference<Thread> waiter = new AtomicReference<>();
            CompletableFuture<Boolean> awaiting = CompletableFuture.supplyAsync(() -> {
                waiter.set(Thread.currentThread());
                m.awaitOffloads();
                return Thread.currentThread().isInterrupted();
            }, callers);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while ((waiter.get() == null || waiter.get().getState() != Thread.State.WAITING)
                    && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            waiter.get().interrupt();
            Thread.sleep(50);
            assertFalse(awaiting.isDone(), "an interrupt does not end the wait while copies are pending");
            gate.countDown();
            assertTrue(awaiting.get(10, TimeUnit.SECONDS), "the interrupt status survives the wait");
            assertTrue(m.tier(Tier.G2).pool().contains(2));
        }
    }
}
