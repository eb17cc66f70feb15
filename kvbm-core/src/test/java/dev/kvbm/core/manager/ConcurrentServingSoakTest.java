package dev.kvbm.core.manager;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.Tier;
import dev.kvbm.core.integrity.IntegrityMode;
import dev.kvbm.core.offload.OffloadBackpressure;
import dev.kvbm.core.pool.ImmutableBlock;
import dev.kvbm.core.pool.PoolStatus;
import dev.kvbm.core.replay.Replayer;
import dev.kvbm.core.testing.TestProviders;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A serving session's use of the manager: several threads prepare, compute, commit and close requests at
 * once over G1/G2/G3, with prefixes that overlap across threads (hits, onboarding and offloads of the
 * same hashes race), some requests committed and closed on different threads, some closed while another
 * thread commits. Bounded (a few thousand requests, seconds) and checked for invariants throughout.
 */
class ConcurrentServingSoakTest {
    static final int THREADS = 6;
    static final int REQUESTS_PER_THREAD = 300;
    static final int UNIVERSE = 96; // ids of the shared chains: few enough that requests share prefixes
    static final long TAILS = 1_000; // ids of divergent tails start here

    final TestProviders.CopyEngineProvider engine = new TestProviders.CopyEngineProvider();
    final Map<Long, byte[]> expected = new ConcurrentHashMap<>();

    @AfterEach
    void nothingLeaked() {
        assertEquals(0, TestProviders.ArenaTierProvider.OUTSTANDING.get(), "storage left allocated");
    }

    byte[] expected(KvBlockManager m, long id) {
        return expected.computeIfAbsent(id, h -> KvBlockManagerTest.expected(m, h));
    }

    @ParameterizedTest
    @EnumSource(OffloadBackpressure.class)
    void concurrentRequestsKeepEveryInvariant(OffloadBackpressure mode) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(THREADS + 1);
        AtomicLong served = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        AtomicLong onboarded = new AtomicLong();
        try (KvBlockManager m = KvBlockManager.builder().geometry(KvBlockManagerTest.GEOMETRY)
                .providers(TestProviders.registry(engine)).integrity(IntegrityMode.ALWAYS)
                .tierBlocks(Tier.G1, 48).tierBlocks(Tier.G2, 64).tierBlocks(Tier.G3, 128).diskOffloadFilter(false)
                .offloadQueueCapacity(8).offloadBackpressure(mode).build()) {
            // Fresh G1 blocks are owned by exactly one live request: a block handed to two would be corrupted.
            Set<Integer> ownedFresh = ConcurrentHashMap.newKeySet();
            Set<Long> seen = ConcurrentHashMap.newKeySet();
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                long seed = 42 + t;
                workers.add(threads.submit(() -> {
                    start.await();
                    Random random = new Random(seed);
                    for (int r = 0; r < REQUESTS_PER_THREAD; r++) {
                        long[] ids = request(random);
                        for (long id : ids) {
                            seen.add(id);
                        }
                        PreparedRequest p;
                        try {
                            p = m.prepare(ids);
                        } catch (KvbmException e) {
                            // Every G1 block held by other requests at this instant: a serving session retries.
                            assertEquals(ErrorCode.NOT_ENOUGH_BLOCKS, e.code(), e.getMessage());
                            refused.incrementAndGet();
                            continue;
                        }
                        onboarded.addAndGet(p.hits(Tier.G2) + p.hits(Tier.G3));
                        List<Integer> mine = new ArrayList<>();
                        for (int i = 0; i < p.length(); i++) {
                            int block = p.g1BlockId(i);
                            if (p.isFresh(i)) {
                                assertTrue(ownedFresh.add(block), "G1 block " + block + " handed to two requests");
                                mine.add(block);
                                Replayer.fillBlock(m.tier(Tier.G1).physical(), block, ids[i]);
                            } else {
                                // A hit (in G1, or onboarded from G2/G3) holds exactly the bytes of its id.
                                assertArrayEquals(expected(m, ids[i]),
                                        KvBlockManagerTest.bytes(m.tier(Tier.G1).physical(), block),
                                        "hit " + ids[i] + " at position " + i);
                            }
                        }
                        mine.forEach(ownedFresh::remove); // ownership ends at commit: the blocks become shared
                        switch (r % 3) {
                            case 0 -> { // the usual order, on one thread
                                m.commit(p);
                                p.close();
                            }
                            case 1 -> // committed here, closed by another thread (a session hands it on)
                                    threads.submit(() -> {
                                        m.commit(p);
                                        p.close();
                                        return null;
                                    }).get(30, TimeUnit.SECONDS);
                            default -> { // close() races commit(): every block is released exactly once
                                Future<?> closer = threads.submit(p::close);
                                try {
                                    m.commit(p);
                                } catch (KvbmException e) {
                                    assertEquals(ErrorCode.INVALID_STATE, e.code(), e.getMessage());
                                }
                                closer.get(30, TimeUnit.SECONDS);
                            }
                        }
                        served.incrementAndGet();
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> w : workers) {
                w.get(120, TimeUnit.SECONDS);
            }
            m.awaitOffloads();
            assertEquals((long) THREADS * REQUESTS_PER_THREAD, served.get() + refused.get());
            assertTrue(served.get() > refused.get(), "most requests served: " + served + " served, " + refused
                    + " refused");
            for (TierRuntime tier : m.tiers().values()) {
                tier.pool().checkInvariants();
                PoolStatus s = tier.pool().status();
                assertEquals(0, s.active(), tier.tier() + ": a reference was never released: " + s);
                assertEquals(0, s.inFlight(), tier.tier() + ": an allocated block was never registered or returned");
                for (long id : seen) {
                    for (ImmutableBlock b : tier.pool().matchSequenceHashes(new long[] {id})) {
                        assertArrayEquals(expected(m, id), KvBlockManagerTest.bytes(tier.physical(), b.blockId()),
                                tier.tier() + " holds the wrong bytes for " + id);
                        b.close();
                    }
                }
            }
            // WAIT brings every block to G2/G3, so evicted blocks come back by onboarding; SKIP on a loaded
            // machine may skip every offload (lanes busy), and then nothing below G1 can be onboarded.
            assertTrue(onboarded.get() > 0 || (mode == OffloadBackpressure.SKIP && m.offloads().skippedTargetBusy() > 0),
                    "onboarding from G2/G3 raced the other threads (" + m.offloads().skipCounts() + ")");
            assertEquals(0, m.checksums().failureCount(), "no onboarded block failed its checksum");
            assertEquals(0, m.offloads().failedBlocks());
            if (mode == OffloadBackpressure.WAIT) {
                assertEquals(0, m.offloads().skippedTargetBusy(), "WAIT never skips");
            }
        } finally {
            threads.shutdownNow();
            assertTrue(threads.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    /** A prefix of one of a few chains over the universe, so requests on different threads overlap. */
    static long[] request(Random random) {
        int chain = random.nextInt(4);
        int length = 1 + random.nextInt(6);
        long[] ids = new long[length];
        for (int i = 0; i < length; i++) {
            ids[i] = 1 + (chain * 24L + i) % UNIVERSE;
        }
        if (random.nextInt(4) == 0) {
            // A divergent tail: a sequence hash covers its prefix, so the id is one of a few per parent.
            long parent = length > 1 ? ids[length - 2] : 0;
            ids[length - 1] = TAILS + parent * 4 + random.nextInt(4);
        }
        return ids;
    }
}
