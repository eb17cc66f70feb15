package dev.kvbm.core.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kvbm.api.Tier;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** One register call is one {@link Registrations} for a listener; {@link BlockPool#lookupEach} finds each hash. */
class RegistrationsTest {

    static List<MutableBlock> completed(BlockPool pool, long... hashes) {
        List<MutableBlock> blocks = pool.allocate(hashes.length);
        for (int i = 0; i < hashes.length; i++) {
            blocks.get(i).complete(hashes[i], i == 0 ? OptionalLong.empty() : OptionalLong.of(hashes[i - 1]))
                    .priority(i);
        }
        return blocks;
    }

    @Test
    void aListenerGetsOneCallPerRegisterWithEveryNewBlockInOrderAndNoDuplicates() {
        BlockPool pool = new BlockPool("t", Tier.G1, 16);
        List<Registrations> calls = new ArrayList<>();
        List<Long> perBlock = new ArrayList<>();
        pool.addListener(new BlockPool.Listener() {
            @Override
            public void registered(BlockPool p, Registrations blocks) {
                calls.add(blocks);
                BlockPool.Listener.super.registered(p, blocks); // the default forwards block by block
            }

            @Override
            public void registered(BlockPool p, long h, OptionalLong parent, int blockId, int priority) {
                perBlock.add(h);
            }
        });
        pool.register(completed(pool, 10, 11, 12)).forEach(ImmutableBlock::close);
        pool.register(completed(pool, 11, 20)).forEach(ImmutableBlock::close); // 11 is a duplicate
        assertEquals(2, calls.size());
        Registrations first = calls.get(0);
        assertEquals(3, first.size());
        assertEquals(11, first.sequenceHash(1));
        assertEquals(OptionalLong.of(10), first.parent(1));
        assertEquals(OptionalLong.empty(), first.parent(0));
        assertEquals(2, first.priority(2));
        assertEquals(1, calls.get(1).size(), "the duplicate is not newly registered");
        assertEquals(20, calls.get(1).sequenceHash(0));
        assertEquals(OptionalLong.of(11), calls.get(1).parent(0));
        assertEquals(List.of(10L, 11L, 12L, 20L), perBlock);
        assertThrows(IndexOutOfBoundsException.class, () -> first.blockId(3));
    }

    @Test
    void lookupEachAcquiresEveryRegisteredHashAndPassesMisses() {
        BlockPool pool = new BlockPool("t", Tier.G1, 8);
        pool.register(completed(pool, 1, 2, 3)).forEach(ImmutableBlock::close);
        ImmutableBlock[] found = pool.lookupEach(new long[] {9, 1, 7, 3}, 1, 4);
        assertEquals(3, found.length);
        assertNotNull(found[0]);
        assertEquals(1, found[0].sequenceHash());
        assertNull(found[1], "7 is not registered; the lookup goes on past it");
        assertEquals(3, found[2].sequenceHash());
        assertEquals(2, pool.status().active(), "both found blocks are held");
        found[0].close();
        found[2].close();
        assertEquals(0, pool.status().active());
        pool.checkInvariants();
    }
}
