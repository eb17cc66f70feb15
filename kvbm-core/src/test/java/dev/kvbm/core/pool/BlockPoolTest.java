package dev.kvbm.core.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.Tier;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class BlockPoolTest {

    /** Registers a chain of hashes (each the parent of the next) and releases it; returns the block ids. */
    static List<Integer> storeChain(BlockPool pool, long... hashes) {
        List<MutableBlock> blocks = pool.allocate(hashes.length);
        for (int i = 0; i < hashes.length; i++) {
            blocks.get(i).complete(hashes[i], i == 0 ? OptionalLong.empty() : OptionalLong.of(hashes[i - 1]));
        }
        List<ImmutableBlock> registered = pool.register(blocks);
        List<Integer> ids = registered.stream().map(ImmutableBlock::blockId).toList();
        registered.forEach(ImmutableBlock::close);
        return ids;
    }

    @Test
    void statusCountsEveryState() {
        BlockPool pool = new BlockPool("t", Tier.G1, 6);
        assertEquals(new PoolStatus(6, 6, 0, 0, 0, 0, 0), pool.status());
        List<MutableBlock> m = pool.allocate(3);
        assertEquals(new PoolStatus(6, 3, 0, 0, 3, 0, 0), pool.status());
        m.get(0).complete(10, OptionalLong.empty());
        List<ImmutableBlock> r = pool.register(List.of(m.get(0)));
        assertEquals(new PoolStatus(6, 3, 0, 1, 2, 1, 0), pool.status());
        r.getFirst().close();
        m.get(1).close();
        assertEquals(new PoolStatus(6, 4, 1, 0, 1, 1, 0), pool.status());
        assertEquals(5, pool.status().available());
        pool.checkInvariants();
    }

    @Test
    void allocationTakesResetBlocksBeforeEvicting() {
        BlockPool pool = new BlockPool("t", Tier.G1, 4);
        storeChain(pool, 1, 2);
        pool.allocate(2).forEach(MutableBlock::close);
        assertTrue(pool.contains(1) && pool.contains(2), "two free blocks were enough; nothing evicted");
        assertEquals(0, pool.status().evictions());
    }

    @Test
    void evictsLeastRecentlyReleasedFirst() {
        BlockPool pool = new BlockPool("t", Tier.G1, 3);
        storeChain(pool, 1);
        storeChain(pool, 2);
        storeChain(pool, 3);
        pool.touch(new long[] {1}); // 1 becomes most recent: order is now 2, 3, 1
        List<MutableBlock> first = pool.allocate(1);
        assertFalse(pool.contains(2));
        assertTrue(pool.contains(3) && pool.contains(1));
        List<MutableBlock> second = pool.allocate(1);
        assertFalse(pool.contains(3));
        assertTrue(pool.contains(1));
        pool.allocate(1).forEach(MutableBlock::close);
        assertFalse(pool.contains(1));
        assertEquals(3, pool.status().evictions());
        first.forEach(MutableBlock::close);
        second.forEach(MutableBlock::close);
    }

    /** A pin released after newer releases goes back to its old place in the order, not to the most recent end. */
    @Test
    void aReleasedPinKeepsTheBlocksPlaceInTheEvictionOrder() {
        BlockPool pool = new BlockPool("t", Tier.G1, 4);
        storeChain(pool, 1);
        storeChain(pool, 2);
        ImmutableBlock pin = pool.pin(2).orElseThrow(); // held while 3 and 4 are released after it
        storeChain(pool, 3);
        storeChain(pool, 4);
        pin.close(); // order: 1, 2, 3, 4
        List<Long> victims = new java.util.ArrayList<>();
        pool.addListener(new BlockPool.Listener() {
            @Override
            public void evicted(BlockPool p, long h) {
                victims.add(h);
            }
        });
        List<MutableBlock> taken = pool.allocate(4);
        assertEquals(List.of(1L, 2L, 3L, 4L), victims);
        taken.forEach(MutableBlock::close);
        pool.checkInvariants();
    }

    @Test
    void lowerPriorityIsEvictedFirst() {
        BlockPool pool = new BlockPool("t", Tier.G1, 2);
        List<MutableBlock> m = pool.allocate(2);
        m.get(0).complete(1, OptionalLong.empty()).priority(5);
        m.get(1).complete(2, OptionalLong.empty()).priority(1);
        pool.register(m).forEach(ImmutableBlock::close);
        pool.allocate(1).forEach(MutableBlock::close);
        assertTrue(pool.contains(1));
        assertFalse(pool.contains(2));
    }

    @Test
    void childrenAreEvictedBeforeTheirParents() {
        BlockPool pool = new BlockPool("t", Tier.G1, 4);
        storeChain(pool, 1, 2, 3); // released in order: 1 is the least recent, but it heads the chain
        storeChain(pool, 9);
        List<MutableBlock> held = pool.allocate(1);
        assertFalse(pool.contains(3), "the chain's leaf goes first");
        assertTrue(pool.contains(1) && pool.contains(2));
        held.addAll(pool.allocate(2));
        assertFalse(pool.contains(2));
        assertFalse(pool.contains(1), "then its parent, which became a leaf, then the root");
        assertTrue(pool.contains(9));
        held.forEach(MutableBlock::close);
        pool.checkInvariants();
    }

    @Test
    void aParentWithAnActiveChildIsNotEvicted() {
        BlockPool pool = new BlockPool("t", Tier.G1, 2);
        storeChain(pool, 1, 2);
        List<ImmutableBlock> child = pool.matchSequenceHashes(new long[] {1, 2}).subList(1, 2);
        pool.matchSequenceHashes(new long[] {1}).forEach(ImmutableBlock::close);
        // 1 is inactive but its child 2 is held: 1 must stay.
        KvbmException e = assertThrows(KvbmException.class, () -> pool.allocate(1));
        assertEquals(ErrorCode.NOT_ENOUGH_BLOCKS, e.code());
        assertTrue(pool.contains(1));
        child.forEach(ImmutableBlock::close);
        pool.checkInvariants();
    }

    @Test
    void registeringAKnownHashReturnsThePrimaryAndResetsTheDuplicate() {
        BlockPool pool = new BlockPool("t", Tier.G1, 4);
        int primary = storeChain(pool, 7).getFirst();
        List<MutableBlock> dup = pool.allocate(1);
        int dupId = dup.getFirst().blockId();
        assertNotEquals(primary, dupId);
        dup.getFirst().complete(7, OptionalLong.empty());
        List<ImmutableBlock> r = pool.register(dup);
        assertEquals(primary, r.getFirst().blockId());
        assertEquals(1, pool.status().registered());
        assertEquals(3, pool.status().free(), "the duplicate went back reset");
        r.getFirst().close();
        pool.checkInvariants();
    }

    @Test
    void matchReturnsTheLongestPrefixAndStopsAtTheFirstMiss() {
        BlockPool pool = new BlockPool("t", Tier.G1, 8);
        storeChain(pool, 1, 2, 3);
        storeChain(pool, 5);
        List<ImmutableBlock> m = pool.matchSequenceHashes(new long[] {1, 2, 4, 5});
        assertEquals(List.of(1L, 2L), m.stream().map(ImmutableBlock::sequenceHash).toList());
        assertEquals(2, pool.status().active());
        assertEquals(2, pool.prefixLength(new long[] {1, 2, 4, 5}, 0, 4));
        assertEquals(0, pool.matchSequenceHashes(new long[] {4, 1}).size());
        m.forEach(ImmutableBlock::close);
        assertEquals(0, pool.status().active());
    }

    @Test
    void sharedReferencesKeepABlockActiveUntilTheLastCloses() {
        BlockPool pool = new BlockPool("t", Tier.G1, 2);
        storeChain(pool, 1);
        ImmutableBlock a = pool.matchSequenceHashes(new long[] {1}).getFirst();
        ImmutableBlock b = a.share();
        a.close();
        a.close(); // idempotent
        assertEquals(1, pool.status().active());
        b.close();
        assertEquals(0, pool.status().active());
        assertEquals(1, pool.status().inactive());
    }

    @Test
    void notEnoughBlocksTakesNothing() {
        BlockPool pool = new BlockPool("t", Tier.G1, 3);
        List<MutableBlock> held = pool.allocate(2);
        KvbmException e = assertThrows(KvbmException.class, () -> pool.allocate(2));
        assertEquals("t: 2 blocks asked, 1 available (1 free, 0 inactive) of 3", e.getMessage());
        assertEquals(1, pool.status().free());
        held.forEach(MutableBlock::close);
    }

    @Test
    void illegalTransitionsFail() {
        BlockPool pool = new BlockPool("t", Tier.G1, 2);
        MutableBlock m = pool.allocate(1).getFirst();
        assertThrows(KvbmException.class, m::sequenceHash);
        assertEquals(ErrorCode.INVALID_STATE,
                assertThrows(KvbmException.class, () -> pool.register(List.of(m))).code());
        m.beginFill();
        assertThrows(KvbmException.class, m::beginFill);
        m.complete(3, OptionalLong.empty());
        assertThrows(KvbmException.class, () -> m.complete(4, OptionalLong.empty()));
        pool.register(List.of(m)).forEach(ImmutableBlock::close);
        assertThrows(KvbmException.class, () -> pool.register(List.of(m)), "a registered handle is consumed");
        assertThrows(KvbmException.class, () -> pool.register(List.of()));
    }

    @Test
    void resetOnlyWhenNothingIsInUse() {
        BlockPool pool = new BlockPool("t", Tier.G1, 3);
        storeChain(pool, 1, 2);
        ImmutableBlock held = pool.matchSequenceHashes(new long[] {1}).getFirst();
        KvbmException e = assertThrows(KvbmException.class, pool::reset);
        assertTrue(e.getMessage().contains("1 blocks are in use"), e.getMessage());
        held.close();
        pool.reset();
        assertEquals(new PoolStatus(3, 3, 0, 0, 0, 0, 0), pool.status());
        pool.checkInvariants();
    }

    @Test
    void invalidatedHashIsNeverMatchedAgain() {
        BlockPool pool = new BlockPool("t", Tier.G2, 3);
        storeChain(pool, 1, 2);
        ImmutableBlock held = pool.matchSequenceHashes(new long[] {1, 2}).get(1);
        assertTrue(pool.invalidate(2));
        assertFalse(pool.contains(2));
        assertEquals(1, pool.matchSequenceHashes(new long[] {1, 2}).size());
        held.close();
        pool.matchSequenceHashes(new long[] {1}).forEach(ImmutableBlock::close);
        assertEquals(2, pool.status().free(), "the doomed block went back reset when released");
        assertFalse(pool.invalidate(42));
        pool.checkInvariants();
    }

    @Test
    void listenersHearRegistrationsWithParentsAndEvictions() {
        BlockPool pool = new BlockPool("t", Tier.G1, 2);
        List<String> heard = new ArrayList<>();
        pool.addListener(new BlockPool.Listener() {
            @Override
            public void registered(BlockPool p, long h, OptionalLong parent, int blockId, int priority) {
                heard.add("reg " + h + " parent " + parent);
            }

            @Override
            public void evicted(BlockPool p, long h) {
                heard.add("evict " + h);
            }
        });
        storeChain(pool, 1, 2);
        pool.allocate(1).forEach(MutableBlock::close);
        assertEquals(List.of("reg 1 parent OptionalLong.empty", "reg 2 parent OptionalLong[1]", "evict 2"), heard);
    }

    /** A failed allocate gives back the blocks it took, but those it evicted are gone: listeners hear of them. */
    @Test
    void blocksEvictedByAFailedAllocateAreReportedToListeners() {
        BlockPool pool = new BlockPool("t", Tier.G1, 3);
        List<MutableBlock> m = pool.allocate(3);
        m.get(0).complete(1, OptionalLong.empty());
        m.get(1).complete(2, OptionalLong.of(1)); // 2 is held below: its parent 1 cannot be evicted
        m.get(2).complete(3, OptionalLong.empty());
        List<ImmutableBlock> registered = pool.register(m);
        registered.get(0).close();
        registered.get(2).close();
        List<Long> victims = new ArrayList<>();
        pool.addListener(new BlockPool.Listener() {
            @Override
            public void evicted(BlockPool p, long h) {
                victims.add(h);
            }
        });
        KvbmException e = assertThrows(KvbmException.class, () -> pool.allocate(2));
        assertEquals(ErrorCode.NOT_ENOUGH_BLOCKS, e.code(), e.getMessage());
        assertEquals(List.of(3L), victims); // the leaf 3 was evicted before the parent 1 stopped the allocation
        assertFalse(pool.contains(3));
        assertTrue(pool.contains(1));
        pool.checkInvariants();
        registered.get(1).close();
        pool.checkInvariants();
    }
}
