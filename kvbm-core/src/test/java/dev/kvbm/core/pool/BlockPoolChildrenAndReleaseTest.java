package dev.kvbm.core.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.Tier;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;

/**
 * Child counts kept on the parent block (and on orphan hashes while the parent has no primary here), and a
 * release claimed under the pool's monitor: exact counts and leaf-first eviction in the orders a real tier
 * meets them (a child before its parent, an invalidated parent, a doomed parent replaced), and from many threads.
 */
class BlockPoolChildrenAndReleaseTest {

    private static ImmutableBlock register(BlockPool pool, long hash, OptionalLong parent) {
        MutableBlock m = pool.allocate(1).getFirst();
        m.complete(hash, parent);
        return pool.register(List.of(m)).getFirst();
    }

    @Test
    void aParentRegisteredAfterItsChildIsKeptUntilTheChildGoes() {
        BlockPool pool = new BlockPool("t", Tier.G2, 3);
        register(pool, 2, OptionalLong.of(1)).close(); // the child first (an offload lane may land it first)
        register(pool, 1, OptionalLong.empty()).close();
        pool.checkInvariants();
        register(pool, 9, OptionalLong.empty()).close();
        MutableBlock held = pool.allocate(1).getFirst(); // one eviction: the child (a leaf), though the parent is older
        assertFalse(pool.contains(2));
        assertTrue(pool.contains(1), "the parent was not a leaf while its child was registered");
        pool.checkInvariants();
        List<MutableBlock> two = pool.allocate(2); // the parent is a leaf now, then 9
        assertFalse(pool.contains(1) || pool.contains(9));
        two.forEach(MutableBlock::close);
        held.close();
        pool.checkInvariants();
    }

    @Test
    void anInvalidatedParentsChildrenWaitForItsHashToComeBack() {
        BlockPool pool = new BlockPool("t", Tier.G2, 3);
        register(pool, 1, OptionalLong.empty()).close();
        ImmutableBlock child = register(pool, 2, OptionalLong.of(1));
        assertTrue(pool.invalidate(1)); // unheld: dropped at once; its child stays registered
        pool.checkInvariants();
        register(pool, 1, OptionalLong.empty()).close(); // the parent hash comes back (recomputed)
        pool.checkInvariants();
        child.close();
        register(pool, 7, OptionalLong.empty()).close();
        pool.allocate(2).forEach(MutableBlock::close); // two evictions: the child (a leaf), then 1 (older than 7)
        assertFalse(pool.contains(2));
        assertFalse(pool.contains(1), "the parent became a leaf when its child left, and it is older than 7");
        assertTrue(pool.contains(7));
        pool.checkInvariants();
    }

    @Test
    void aDoomedParentsChildrenMoveToTheHashsNewPrimary() {
        BlockPool pool = new BlockPool("t", Tier.G2, 5);
        ImmutableBlock oldParent = register(pool, 1, OptionalLong.empty());
        register(pool, 2, OptionalLong.of(1)).close();
        assertTrue(pool.invalidate(1)); // held: doomed, dropped when released
        ImmutableBlock newParent = register(pool, 1, OptionalLong.empty()); // a new primary for hash 1
        assertTrue(newParent.blockId() != oldParent.blockId());
        pool.checkInvariants();
        oldParent.close(); // the doomed block goes back reset; the child still counts on the new primary
        newParent.close();
        pool.checkInvariants();
        assertEquals(2, pool.status().registered());
        pool.allocate(4).forEach(MutableBlock::close); // 3 free first, then the child (the only leaf)
        assertFalse(pool.contains(2));
        assertTrue(pool.contains(1), "the new primary became a leaf only now");
        pool.checkInvariants();
    }

    @Test
    void manyThreadsClosingSharedReferencesReleaseEachExactlyOnce() throws Exception {
        int blocks = 64;
        int threads = 4;
        BlockPool pool = new BlockPool("t", Tier.G1, blocks);
        long[] hashes = new long[blocks];
        List<MutableBlock> m = pool.allocate(blocks);
        for (int i = 0; i < blocks; i++) {
            hashes[i] = 1000 + i;
            m.get(i).complete(hashes[i], i == 0 ? OptionalLong.empty() : OptionalLong.of(hashes[i - 1]));
        }
        List<ImmutableBlock> primaries = pool.register(m);
        // Every thread gets its own share of every block, and every thread closes every handle of its
        // neighbour too: each handle is closed twice, by two threads at once.
        List<List<ImmutableBlock>> shares = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            List<ImmutableBlock> mine = new ArrayList<>();
            primaries.forEach(b -> mine.add(b.share()));
            shares.add(mine);
        }
        primaries.forEach(ImmutableBlock::close);
        assertEquals(blocks, pool.status().active());
        CyclicBarrier start = new CyclicBarrier(threads);
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        List<Thread> running = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            List<ImmutableBlock> mine = shares.get(t);
            List<ImmutableBlock> neighbours = shares.get((t + 1) % threads);
            running.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                    for (int i = blocks - 1; i >= 0; i--) {
                        mine.get(i).close();
                        neighbours.get(i).close();
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            }));
        }
        for (Thread t : running) {
            t.join();
        }
        assertTrue(errors.isEmpty(), () -> "errors: " + errors);
        shares.forEach(list -> list.forEach(b -> assertTrue(b.isClosed())));
        PoolStatus s = pool.status();
        assertEquals(0, s.active(), "no reference was released twice, none left open");
        assertEquals(blocks, s.inactive());
        pool.checkInvariants();
        // The chain is evicted leaf first, whatever order the threads released it in.
        List<MutableBlock> taken = new ArrayList<>();
        for (int i = blocks - 1; i >= 0; i--) {
            taken.add(pool.allocate(1).getFirst());
            assertFalse(pool.contains(hashes[i]), "block " + i);
            assertTrue(i == 0 || pool.contains(hashes[i - 1]), "block " + (i - 1));
        }
        taken.forEach(MutableBlock::close);
        pool.checkInvariants();
        assertEquals(blocks, pool.status().free());
    }

    @Test
    void aClosedReferenceIsClosedAtOnceAndClosingItAgainChangesNothing() {
        BlockPool pool = new BlockPool("t", Tier.G1, 2);
        ImmutableBlock a = register(pool, 5, OptionalLong.empty());
        ImmutableBlock b = a.share();
        a.close();
        assertTrue(a.isClosed());
        assertFalse(b.isClosed());
        a.close();
        assertEquals(1, pool.status().active(), "the second close of a did not release b's reference");
        b.close();
        assertEquals(new PoolStatus(2, 1, 1, 0, 0, 1, 0), pool.status());
        pool.checkInvariants();
    }
}
