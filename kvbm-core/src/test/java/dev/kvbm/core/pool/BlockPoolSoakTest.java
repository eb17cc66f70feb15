package dev.kvbm.core.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.KvbmException;
import dev.kvbm.api.Tier;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Several threads run random allocate / register / match / touch / release / invalidate operations on
 * one pool for a bounded number of steps; the pool's invariants are checked while they run and after.
 */
class BlockPoolSoakTest {

    @Test
    void invariantsHoldUnderConcurrentRandomOperations() throws Exception {
        BlockPool pool = new BlockPool("soak", Tier.G1, 64);
        int threads = 4;
        int steps = 20_000;
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        AtomicLong operations = new AtomicLong();
        CountDownLatch done = new CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            long seed = 1000 + t;
            Thread.ofPlatform().start(() -> {
                try {
                    run(pool, new SplittableRandom(seed), steps, operations);
                } catch (Throwable e) {
                    errors.add(e);
                } finally {
                    done.countDown();
                }
            });
        }
        while (done.getCount() > 0) {
            pool.checkInvariants();
            Thread.sleep(5);
        }
        assertTrue(errors.isEmpty(), () -> "errors: " + errors);
        pool.checkInvariants();
        PoolStatus s = pool.status();
        assertEquals(0, s.active(), "every reference was closed");
        assertEquals(0, s.inFlight());
        assertEquals(s.total(), s.free() + s.inactive());
        assertTrue(operations.get() >= threads * (long) steps);
    }

    private static void run(BlockPool pool, SplittableRandom rnd, int steps, AtomicLong operations) {
        List<ImmutableBlock> held = new ArrayList<>();
        for (int i = 0; i < steps; i++) {
            operations.incrementAndGet();
            int op = rnd.nextInt(6);
            // Hashes from a small space so threads collide on the same chains.
            int chainLength = 1 + rnd.nextInt(4);
            long root = rnd.nextInt(16) * 100L;
            long[] chain = new long[chainLength];
            for (int k = 0; k < chainLength; k++) {
                chain[k] = root + k;
            }
            switch (op) {
                case 0, 1 -> {
                    try {
                        List<MutableBlock> m = pool.allocate(chainLength);
                        for (int k = 0; k < chainLength; k++) {
                            m.get(k).complete(chain[k], k == 0 ? OptionalLong.empty() : OptionalLong.of(chain[k - 1]));
                        }
                        held.addAll(pool.register(m));
                    } catch (KvbmException e) {
                        // not enough blocks: other threads hold them; that is a legal outcome
                    }
                }
                case 2 -> held.addAll(pool.matchSequenceHashes(chain));
                case 3 -> pool.touch(chain);
                case 4 -> {
                    if (rnd.nextInt(20) == 0) {
                        pool.invalidate(chain[chainLength - 1]);
                    }
                }
                default -> { }
            }
            while (held.size() > 8 || (!held.isEmpty() && rnd.nextInt(3) == 0)) {
                held.remove(rnd.nextInt(held.size())).close();
            }
        }
        held.forEach(ImmutableBlock::close);
    }
}
