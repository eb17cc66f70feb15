package dev.kvbm.core.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.Tier;
import dev.kvbm.api.events.KvEvent;
import dev.kvbm.api.events.KvEvent.Medium;
import dev.kvbm.api.events.KvEventBatch;
import dev.kvbm.api.events.KvEventPublisher;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.core.manager.KvBlockManager;
import dev.kvbm.core.pool.BlockPool;
import dev.kvbm.core.replay.Replayer;
import dev.kvbm.core.replay.WorkloadGenerator;
import dev.kvbm.core.testing.TestProviders;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class KvEventJournalTest {

    /** Keeps every batch, as a subscriber that missed nothing would see them. */
    static final class Recording implements KvEventPublisher {
        final List<KvEventBatch> batches = new CopyOnWriteArrayList<>();

        @Override
        public boolean offer(KvEventBatch batch) {
            batches.add(batch);
            return true;
        }

        @Override
        public long published() {
            return batches.size();
        }

        @Override
        public long dropped() {
            return 0;
        }

        @Override
        public boolean flush(long timeoutMillis) {
            return true;
        }

        @Override
        public void close() {
        }
    }

    /** Each tier's set of hashes, rebuilt from the events alone. */
    static Map<Medium, Set<Long>> rebuild(List<KvEventBatch> batches) {
        Map<Medium, Set<Long>> sets = new EnumMap<>(Medium.class);
        for (Medium m : Medium.values()) {
            sets.put(m, new HashSet<>());
        }
        for (KvEventBatch b : batches) {
            for (KvEvent e : b.events()) {
                switch (e) {
                    case KvEvent.BlockStored s -> {
                        for (long h : s.blockHashes()) {
                            assertTrue(sets.get(s.medium()).add(h), "stored twice without a removal: " + h);
                        }
                    }
                    case KvEvent.BlockRemoved r -> {
                        for (long h : r.blockHashes()) {
                            assertTrue(sets.get(r.medium()).remove(h), "removed without being stored: " + h);
                        }
                    }
                    case KvEvent.AllBlocksCleared c -> sets.values().forEach(Set::clear);
                }
            }
        }
        return sets;
    }

    static Set<Long> held(BlockPool pool) {
        return LongStream.of(pool.registeredHashes()).boxed().collect(Collectors.toSet());
    }

    @Test
    void eventsRebuildEveryTiersBlocksExactlyAfterAReplayWithEvictions() {
        Recording events = new Recording();
        LayoutConfig geometry = LayoutConfig.builder().numBlocks(1).numLayers(2).outerDim(2).pageSize(4).innerDim(8).build();
        try (KvBlockManager m = KvBlockManager.builder().geometry(geometry)
                .providers(TestProviders.registry(new TestProviders.CopyEngineProvider()))
                .tierBlocks(Tier.G1, 48).tierBlocks(Tier.G2, 96).tierBlocks(Tier.G3, 160).diskOffloadFilter(false)
                .events(events, 3).build()) {
            var trace = WorkloadGenerator.generate(new WorkloadGenerator.Shape(12, 6, 2, 4, 4), 11, 4);
            Replayer.run(m, trace, null);
            m.awaitOffloads();
            Map<Medium, Set<Long>> rebuilt = rebuild(events.batches);
            for (Tier t : m.tiers().keySet()) {
                Set<Long> pool = held(m.tier(t).pool());
                assertFalse(pool.isEmpty());
                assertEquals(pool, rebuilt.get(Medium.of(t)), t + " rebuilt from the events");
            }
            assertTrue(events.batches.size() <= trace.size() * 2L, "batched per request, not per event ("
                    + events.batches.size() + " batches for " + trace.size() + " requests)");
            assertTrue(events.batches.stream().allMatch(b -> b.dataParallelRank() == 3));
            long removals = events.batches.stream().flatMap(b -> b.events().stream())
                    .filter(e -> e instanceof KvEvent.BlockRemoved).count();
            assertTrue(removals > 0, "the tiers were small enough to evict");
        }
    }

    @Test
    void chainedRegistrationsBecomeOneStoredEventAndInvalidationIsARemoval() {
        Recording events = new Recording();
        KvEventJournal journal = new KvEventJournal(events, 16, 0);
        BlockPool pool = new BlockPool("g2", Tier.G2, 8);
        pool.journal(journal);
        var blocks = pool.allocate(3);
        blocks.get(0).complete(1, OptionalLong.empty());
        blocks.get(1).complete(2, OptionalLong.of(1));
        blocks.get(2).complete(3, OptionalLong.of(2));
        List<dev.kvbm.core.pool.ImmutableBlock> registered = pool.register(new ArrayList<>(blocks));
        pool.invalidate(2);
        pool.invalidate(2); // already gone: no second removal
        registered.forEach(dev.kvbm.core.pool.ImmutableBlock::close);
        journal.flush();
        journal.flush(); // nothing new: no empty batch
        assertEquals(1, events.batches.size());
        List<KvEvent> list = events.batches.getFirst().events();
        assertEquals(2, list.size(), list.toString());
        KvEvent.BlockStored stored = (KvEvent.BlockStored) list.get(0);
        assertEquals(List.of(1L, 2L, 3L), LongStream.of(stored.blockHashes()).boxed().toList());
        assertEquals(OptionalLong.empty(), stored.parent());
        assertEquals(Medium.CPU, stored.medium());
        assertEquals(16, stored.blockSize());
        KvEvent.BlockRemoved removed = (KvEvent.BlockRemoved) list.get(1);
        assertEquals(List.of(2L), LongStream.of(removed.blockHashes()).boxed().toList());
        assertEquals(held(pool), rebuild(events.batches).get(Medium.CPU));
    }

    static KvBlockManager manager(Recording events) {
        LayoutConfig geometry = LayoutConfig.builder().numBlocks(1).numLayers(2).outerDim(2).pageSize(4).innerDim(8).build();
        return KvBlockManager.builder().geometry(geometry)
                .providers(TestProviders.registry(new TestProviders.CopyEngineProvider()))
                .tierBlocks(Tier.G1, 48).tierBlocks(Tier.G2, 96).tierBlocks(Tier.G3, 160).diskOffloadFilter(false)
                .events(events, 0).build();
    }

    /** A reset of every tier is one AllBlocksCleared; a reset of one pool is a removal per block; both rebuild. */
    @Test
    void resettingEveryTierIsOneAllBlocksClearedAndOneTierARemovalPerBlock() {
        Recording events = new Recording();
        try (KvBlockManager m = manager(events)) {
            Replayer.run(m, WorkloadGenerator.generate(new WorkloadGenerator.Shape(8, 4, 2, 4, 4), 5, 4), null);
            m.awaitOffloads();
            int g3 = m.tier(Tier.G3).pool().registeredHashes().length;
            assertTrue(g3 > 0);
            int before = events.batches.size();
            m.tier(Tier.G3).pool().reset();
            m.awaitOffloads(); // flushes
            List<KvEvent> g3Reset = events.batches.subList(before, events.batches.size()).stream()
                    .flatMap(b -> b.events().stream()).toList();
            assertEquals(g3, g3Reset.stream().mapToLong(e -> ((KvEvent.BlockRemoved) e).blockHashes().length).sum(),
                    "one removal per block of the reset tier");
            assertTrue(rebuild(events.batches).get(Medium.DISK).isEmpty());

            before = events.batches.size();
            m.reset();
            List<KvEvent> cleared = events.batches.subList(before, events.batches.size()).stream()
                    .flatMap(b -> b.events().stream()).toList();
            assertEquals(List.of(new KvEvent.AllBlocksCleared()), cleared, "one event for the reset of every tier");
            for (Tier t : m.tiers().keySet()) {
                assertEquals(0, m.tier(t).pool().registeredHashes().length, t + " was reset");
            }
            // the manager serves on, and the events still rebuild every tier
            Replayer.run(m, WorkloadGenerator.generate(new WorkloadGenerator.Shape(4, 3, 2, 4, 4), 6, 4), null);
            m.awaitOffloads();
            Map<Medium, Set<Long>> rebuilt = rebuild(events.batches);
            for (Tier t : m.tiers().keySet()) {
                assertEquals(held(m.tier(t).pool()), rebuilt.get(Medium.of(t)), t + " after the reset");
            }
        }
    }

    /** A request prepared from tokens: its blocks' BlockStored events carry their token ids, in G1 and below. */
    @Test
    void blocksPreparedFromTokensCarryTheirTokenIdsInEveryTier() {
        Recording events = new Recording();
        try (KvBlockManager m = manager(events)) {
            int[] tokens = java.util.stream.IntStream.range(100, 112).toArray(); // three blocks of 4
            try (dev.kvbm.core.manager.PreparedRequest p = m.prepare(tokens, 4, 0)) {
                m.commit(p);
            }
            m.awaitOffloads();
            try (dev.kvbm.core.manager.PreparedRequest p = m.prepare(new long[] {77}, 1)) {
                m.commit(p); // prepared from a hash alone: no tokens known
            }
            m.awaitOffloads();
            Map<Medium, List<Integer>> tokensByMedium = new EnumMap<>(Medium.class);
            List<KvEvent.BlockStored> unknown = new ArrayList<>();
            for (KvEventBatch b : events.batches) {
                for (KvEvent e : b.events()) {
                    if (e instanceof KvEvent.BlockStored s) {
                        if (s.tokenIds().length == 0) {
                            unknown.add(s);
                        } else {
                            assertEquals(s.blockHashes().length * 4, s.tokenIds().length);
                            List<Integer> list = tokensByMedium.computeIfAbsent(s.medium(), k -> new ArrayList<>());
                            java.util.stream.IntStream.of(s.tokenIds()).forEach(list::add);
                        }
                    }
                }
            }
            List<Integer> expected = java.util.stream.IntStream.of(tokens).boxed().toList();
            for (Medium medium : List.of(Medium.GPU, Medium.CPU, Medium.DISK)) {
                assertEquals(expected, tokensByMedium.get(medium), medium + " copies carry the tokens");
            }
            assertEquals(3, unknown.size(), "the block prepared from its hash alone, once per tier: " + unknown);
            assertTrue(unknown.stream().allMatch(s -> s.blockHashes().length == 1 && s.blockHashes()[0] == 77));
        }
    }
}
