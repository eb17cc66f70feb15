package dev.kvbm.core.manager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.Tier;
import dev.kvbm.core.integrity.IntegrityMode;
import dev.kvbm.core.offload.OffloadBackpressure;
import dev.kvbm.core.offload.PathStats;
import dev.kvbm.core.pool.BlockPool;
import dev.kvbm.core.testing.TestProviders;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The asynchronous hazards of the offload lanes: where the registration cascade runs, what a full lane
 * does to a registration, what close() leaves behind, how a request's blocks reach a lane (one hand-off, full
 * batches) and how awaitOffloads waits (a signal, not a poll). Copies run on a named "io" thread, as an
 * engine's completion thread would, and can be held back by a gate.
 */
class OffloadHazardsTest {
    final TestProviders.CopyEngineProvider engine = new TestProviders.CopyEngineProvider();
    final CountDownLatch gate = new CountDownLatch(1);
    final ExecutorService io = Executors.newSingleThreadExecutor(r -> new Thread(r, "test-io"));
    /** Callers that block: never the common pool, whose one worker on a small machine may be the copies'. */
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

    /** Copies on the "io" thread, after the gate opens. */
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

    static long[] ids(int n) {
        return LongStream.rangeClosed(1, n).toArray();
    }

    static void compute(KvBlockManager m, PreparedRequest p, long[] ids) {
        for (int i = 0; i < p.length(); i++) {
            if (p.isFresh(i)) {
                dev.kvbm.core.replay.Replayer.fillBlock(m.tier(Tier.G1).physical(), p.g1BlockId(i), ids[i]);
            }
        }
    }

    static Set<String> offloadThreads() {
        Set<String> names = new java.util.HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("kvbm-offload-") && t.isAlive()) {
                names.add(t.getName());
            }
        }
        return names;
    }

    /**
     * Copies on the "io" thread once the thread that asked for them is parked again, so they complete
     * after every callback the caller attached (the order that puts callbacks on the I/O thread).
     */
    void ioAfterTheCallerParks() {
        engine.executor = task -> {
            Thread caller = Thread.currentThread();
            io.execute(() -> {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (caller.getState() != Thread.State.WAITING && caller.getState() != Thread.State.TIMED_WAITING
                        && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                task.run();
            });
        };
    }

    @Test
    void registrationCascadeRunsOnTheLanesThreadsNeverOnTheIoThread() {
        ioAfterTheCallerParks();
        Set<String> g2Threads = ConcurrentHashMap.newKeySet();
        Set<String> g3Threads = ConcurrentHashMap.newKeySet();
        try (KvBlockManager m = builder().tierBlocks(Tier.G1, 8).tierBlocks(Tier.G2, 16).tierBlocks(Tier.G3, 32)
                .diskOffloadFilter(false).build()) {
            m.tier(Tier.G2).pool().addListener(recorder(g2Threads));
            m.tier(Tier.G3).pool().addListener(recorder(g3Threads));
            long[] ids = ids(6);
            try (PreparedRequest p = m.prepare(ids)) {
                compute(m, p, ids);
                m.commit(p);
            }
            m.awaitOffloads();
            assertTrue(m.tier(Tier.G3).pool().contains(6), "the cascade reached G3");
            assertEquals(Set.of("kvbm-offload-G1->G2"), g2Threads, "G2 registrations and listeners");
            assertEquals(Set.of("kvbm-offload-G2->G3"), g3Threads, "G3 registrations and listeners");
        }
    }

    static BlockPool.Listener recorder(Set<String> threads) {
        return new BlockPool.Listener() {
            @Override
            public void registered(BlockPool pool, long sequenceHash, OptionalLong parent, int blockId, int priority) {
                threads.add(Thread.currentThread().getName());
            }
        };
    }

    /** G1 -> G2 with gated copies, one block per batch, one copy in flight and room for 2 queued blocks. */
    KvBlockManager narrowLane(OffloadBackpressure mode) {
        gatedIo();
        return builder().tierBlocks(Tier.G1, 32).tierBlocks(Tier.G2, 64).batchSize(1).maxInFlight(1)
                .offloadQueueCapacity(2).offloadBackpressure(mode).build();
    }

    static PreparedRequest computed(KvBlockManager m, long[] ids) {
        PreparedRequest p = m.prepare(ids);
        compute(m, p, ids);
        return p;
    }

    @Test
    void aFullLaneMakesTheRegistrationWaitInWaitModeAndEveryBlockStillArrives() throws Exception {
        try (KvBlockManager m = narrowLane(OffloadBackpressure.WAIT)) {
            long[] ids = ids(20);
            PreparedRequest p = computed(m, ids);
            CompletableFuture<Void> commit = CompletableFuture.runAsync(() -> m.commit(p), callers);
            // 20 registrations, room for 2 queued + 2 taken by the lane: the commit must be waiting.
            assertThrows(java.util.concurrent.TimeoutException.class, () -> commit.get(300, TimeUnit.MILLISECONDS),
                    "a registration into a full lane waits for room");
            gate.countDown();
            commit.get(10, TimeUnit.SECONDS);
            p.close();
            m.awaitOffloads();
            for (long id : ids) {
                assertTrue(m.tier(Tier.G2).pool().contains(id), "block " + id + " reached G2");
            }
            assertEquals(0, m.offloads().skippedTargetBusy());
        }
    }

    @Test
    void aFullLaneSkipsAndCountsInSkipModeWithoutWaiting() throws Exception {
        try (KvBlockManager m = narrowLane(OffloadBackpressure.SKIP)) {
            long[] ids = ids(20);
            PreparedRequest p = computed(m, ids);
            CompletableFuture.runAsync(() -> m.commit(p), callers).get(10, TimeUnit.SECONDS); // never waits for the gate
            long busy = m.offloads().skippedTargetBusy();
            assertTrue(busy >= 16, "at most 2 queued + 2 taken by the lane; skipped " + busy);
            gate.countDown();
            p.close();
            m.awaitOffloads();
            long arrived = LongStream.of(ids).filter(id -> m.tier(Tier.G2).pool().contains(id)).count();
            assertEquals(ids.length, arrived + busy, "every block either reached G2 or was counted as busy");
            assertTrue(m.tier(Tier.G1).pool().contains(20), "a skipped offload leaves the block in G1");
        }
    }

    @Test
    void queueCapacityIsValidated() {
        KvbmException e = assertThrows(KvbmException.class, () -> builder().offloadQueueCapacity(0));
        assertEquals(ErrorCode.INVALID_CONFIG, e.code());
        assertTrue(e.getMessage().contains("offloadQueueCapacity"), e.getMessage());
    }

    @Test
    void laneThreadsStartWithTheFirstBlockAndCloseJoinsThemAfterTheirCopies() throws Exception {
        gatedIo();
        KvBlockManager m = builder().tierBlocks(Tier.G1, 8).tierBlocks(Tier.G2, 16).build();
        boolean closed = false;
        try {
            assertFalse(offloadThreads().contains("kvbm-offload-G1->G2"), "no thread before any block");
            long[] ids = ids(4);
            try (PreparedRequest p = m.prepare(ids)) {
                compute(m, p, ids);
                m.commit(p);
            }
            assertTrue(offloadThreads().contains("kvbm-offload-G1->G2"), "started by the first block");
            CompletableFuture<Void> closing = CompletableFuture.runAsync(m::close, callers);
            // close() waits for the held-back copy: the lane thread is still there meanwhile.
            assertThrows(java.util.concurrent.TimeoutException.class, () -> closing.get(200, TimeUnit.MILLISECONDS));
            gate.countDown();
            closing.get(10, TimeUnit.SECONDS);
            closed = true;
            assertFalse(offloadThreads().contains("kvbm-offload-G1->G2"), "joined by close()");
            assertEquals(List.of(), List.copyOf(offloadThreads()), "no offload thread survives its manager");
        } finally {
            if (!closed) {
                m.close();
            }
        }
    }

    @Test
    void closeWaitsForAPrepareThatIsOnboardingAndLaterCallsFail() throws Exception {
        engine.executor = io;
        KvBlockManager m = builder().tierBlocks(Tier.G1, 4).tierBlocks(Tier.G2, 16).build();
        try {
            for (long[] ids : new long[][] {{1, 2, 3, 4}, {10, 11, 12, 13}}) { // the second evicts the first from G1
                try (PreparedRequest p = computed(m, ids)) {
                    m.commit(p);
                }
                m.awaitOffloads();
            }
            gatedIo();
            long before = engine.transfers.get();
            CompletableFuture<PreparedRequest> preparing = CompletableFuture.supplyAsync(() -> m.prepare(ids(4)), callers);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (engine.transfers.get() == before && System.nanoTime() < deadline) {
                Thread.onSpinWait(); // until the onboarding copy G2 -> G1 is submitted (and held by the gate)
            }
            CompletableFuture<Void> closing = CompletableFuture.runAsync(m::close, callers);
            assertThrows(java.util.concurrent.TimeoutException.class, () -> closing.get(300, TimeUnit.MILLISECONDS),
                    "close() waits for the prepare that copies into G1");
            gate.countDown();
            try (PreparedRequest p = preparing.get(10, TimeUnit.SECONDS)) {
                assertEquals(4, p.hits(Tier.G2), "onboarded before the tiers were freed");
            }
            closing.get(10, TimeUnit.SECONDS);
            KvbmException e = assertThrows(KvbmException.class, () -> m.prepare(ids(2)));
            assertEquals(ErrorCode.INVALID_STATE, e.code());
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
        } finally {
            gate.countDown();
            m.close();
        }
    }

    /** A batch that fails before its copy (here the admission filter's clock breaks) leaves nothing pinned or pending. */
    @Tag("fault")
    @Test
    void aBatchThatFailsBeforeItsCopyReleasesItsBlocksAndLetsAwaitOffloadsReturn() throws Exception {
        engine.executor = io;
        java.util.concurrent.atomic.AtomicBoolean broken = new java.util.concurrent.atomic.AtomicBoolean();
        try (KvBlockManager m = builder().tierBlocks(Tier.G1, 8).tierBlocks(Tier.G2, 16).tierBlocks(Tier.G3, 16)
                .diskOffloadFilter(() -> new dev.kvbm.core.offload.FrequencyFilter(2, java.time.Duration.ofMinutes(10),
                        100, () -> {
                            if (broken.get()) {
                                throw new IllegalStateException("clock broke");
                            }
                            return System.nanoTime();
                        })).build()) {
            broken.set(true);
            long[] ids = ids(3);
            try (PreparedRequest p = computed(m, ids)) {
                m.commit(p);
            }
            CompletableFuture.runAsync(m::awaitOffloads, callers).get(10, TimeUnit.SECONDS);
            assertTrue(m.tier(Tier.G2).pool().contains(3), "G1 -> G2 is unaffected");
            assertEquals(3, m.offloads().failedBlocks(), "the G2 -> G3 batch counts as failed");
            for (Tier t : List.of(Tier.G1, Tier.G2, Tier.G3)) {
                assertEquals(0, m.tier(t).pool().status().active(), t + ": nothing left pinned");
                assertEquals(0, m.tier(t).pool().status().inFlight(), t + ": no block left taken");
            }
        }
    }

    static void commitFresh(KvBlockManager m, long[] ids) {
        try (PreparedRequest p = m.prepare(ids)) {
            compute(m, p, ids);
            m.commit(p);
        }
    }

    @Test
    void aRequestsBlocksReachTheLaneTogetherAndMoveInFullBatches() {
        try (KvBlockManager m = builder().tierBlocks(Tier.G1, 128).tierBlocks(Tier.G2, 256).batchSize(16).build()) {
            for (int request = 0; request < 3; request++) {
                long[] ids = ids(64);
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
            long[] ids = ids(4);
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
            commitFresh(m, ids(2));
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
