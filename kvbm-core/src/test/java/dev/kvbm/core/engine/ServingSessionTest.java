package dev.kvbm.core.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.KvbmException;
import dev.kvbm.api.Tier;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.spi.EngineSequence;
import dev.kvbm.core.integrity.IntegrityMode;
import dev.kvbm.core.integrity.BlockBytes;
import dev.kvbm.core.manager.KvBlockManager;
import dev.kvbm.core.pool.ImmutableBlock;
import dev.kvbm.core.replay.TraceRequest;
import dev.kvbm.core.testing.TestProviders;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ServingSessionTest {
    static final int PAGE = 4;
    static final LayoutConfig GEOMETRY = LayoutConfig.builder().numBlocks(1).numLayers(PrefixEngine.LAYERS).outerDim(2)
            .pageSize(PAGE).innerDim(PrefixEngine.INNER).dtypeWidthBytes(4).build();
    final TestProviders.CopyEngineProvider copies = new TestProviders.CopyEngineProvider();
    final PrefixEngine engine = new PrefixEngine("model-a");

    KvBlockManager manager(int g1, int g2) {
        return KvBlockManager.builder().geometry(GEOMETRY).providers(TestProviders.registry(copies))
                .integrity(IntegrityMode.ALWAYS).tierBlocks(Tier.G1, g1).tierBlocks(Tier.G2, g2).build();
    }

    @AfterEach
    void nothingLeaked() {
        assertEquals(0, TestProviders.ArenaTierProvider.OUTSTANDING.get(), "storage left allocated");
    }

    static int[] tokens(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = r.nextInt(PrefixEngine.VOCAB);
        }
        return t;
    }

    static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    float[] recompute(int[] prompt) {
        try (EngineSequence s = engine.newSequence()) {
            return s.decode(prompt);
        }
    }

    ServedRequest serve(ServingSession session, int[] prompt) {
        try (EngineSequence s = session.model().newSequence()) {
            ServedRequest r = session.serve(s, prompt);
            session.manager().awaitOffloads();
            return r;
        }
    }

    @Test
    void aLongPromptPushedDownIsRestoredFromG2WithExactLogits() {
        int[] a = tokens(1, 24);                                           // 6 blocks
        int[] b = tokens(2, 32);                                           // 8 blocks: evicts A from G1
        int[] a2 = concat(Arrays.copyOf(a, 20), tokens(3, 6));             // 5 blocks shared with A
        try (KvBlockManager m = manager(8, 64)) {
            ServingSession session = ServingSession.open(m, engine, 0);
            ServedRequest first = serve(session, a);
            assertEquals(0, first.reusedBlocks());
            assertEquals(6, first.savedBlocks());
            serve(session, b);
            long before = engine.computedTokens.get();
            ServedRequest again = serve(session, a2);
            assertEquals(5, again.reusedBlocks());
            assertEquals(5, again.hits().get(Tier.G2));
            assertEquals(0, again.hits().get(Tier.G1));
            assertEquals(0, again.checksumFailures());
            assertEquals(6, engine.computedTokens.get() - before, "only the 6 tokens past the shared prefix are computed");
            assertArrayEquals(recompute(a2), again.logits(), "logits after reuse equal a full recompute");
        }
    }

    @Test
    void aWholeCachedPromptStillComputesItsLastBlock() {
        int[] a = tokens(4, 24);
        try (KvBlockManager m = manager(16, 32)) {
            ServingSession session = ServingSession.open(m, engine, 0);
            serve(session, a);
            long before = engine.computedTokens.get();
            ServedRequest again = serve(session, a);
            assertEquals(5, again.reusedBlocks(), "at most n - 1 blocks of a whole-block prompt are reused");
            assertEquals(5, again.hits().get(Tier.G1));
            assertEquals(0, again.savedBlocks(), "the last block is already in G1");
            assertEquals(PAGE, engine.computedTokens.get() - before);
            assertArrayEquals(recompute(a), again.logits());
            ServedRequest partial = serve(session, concat(a, tokens(5, 2)));
            assertEquals(6, partial.reusedBlocks(), "a partial tail is computed anyway, so every full block is reused");
        }
    }

    @Test
    void aCorruptedG2BlockIsRecomputedAndTheLogitsStayExact() {
        int[] a = tokens(6, 24);
        int[] a2 = concat(Arrays.copyOf(a, 20), tokens(7, 6));
        try (KvBlockManager m = manager(8, 64)) {
            ServingSession session = ServingSession.open(m, engine, 0);
            serve(session, a);
            serve(session, tokens(8, 32));
            long[] hashes = session.sequenceHashes(a);
            List<ImmutableBlock> held = m.tier(Tier.G2).pool().matchSequenceHashes(new long[] {hashes[2]}, 0, 1);
            int victim = held.getFirst().blockId();
            held.getFirst().close();
            MemorySegment page = BlockBytes.segments(m.tier(Tier.G2).physical(), victim).getFirst();
            page.set(ValueLayout.JAVA_BYTE, 5, (byte) (page.get(ValueLayout.JAVA_BYTE, 5) ^ 0x01));
            ServedRequest again = serve(session, a2);
            assertEquals(1, again.checksumFailures());
            assertEquals(2, again.reusedBlocks(), "the prefix ends before the corrupt block");
            assertArrayEquals(recompute(a2), again.logits());
        }
    }

    @Test
    void anotherModelNeverReusesABlock() {
        int[] a = tokens(9, 24);
        try (KvBlockManager m = manager(16, 32)) {
            ServingSession mine = ServingSession.open(m, engine, 0);
            ServingSession other = ServingSession.open(m, new PrefixEngine("model-b"), 0);
            assertNotEquals(mine.salt(), other.salt());
            serve(mine, a);
            assertEquals(0, serve(other, a).reusedBlocks());
            assertEquals(5, serve(mine, a).reusedBlocks());
        }
    }

    @Test
    void aModelWhoseKvDoesNotFitTheBlocksIsRefused() {
        try (KvBlockManager m = manager(4, 4)) {
            KvbmException e = assertThrows(KvbmException.class,
                    () -> ServingSession.open(m, new PrefixEngine("wide", 16), 0));
            assertTrue(e.getMessage().contains("inner 8 vs the model's 16"), e.getMessage());
        }
    }

    @Test
    void aSequenceThatHoldsTokensIsRefused() {
        try (KvBlockManager m = manager(4, 4); EngineSequence s = engine.newSequence()) {
            ServingSession session = ServingSession.open(m, engine, 0);
            s.decode(new int[] {1, 2});
            KvbmException e = assertThrows(KvbmException.class, () -> session.serve(s, tokens(1, 8)));
            assertTrue(e.getMessage().contains("must be empty"), e.getMessage());
            assertThrows(KvbmException.class, () -> session.serve(engine.newSequence(), new int[0]));
        }
    }

    @Test
    void fourThreadsServeAtOnceWithExactLogits() throws Exception {
        int[][] bases = new int[5][];
        for (int i = 0; i < bases.length; i++) {
            bases[i] = tokens(100 + i, 16 + 4 * i);
        }
        try (KvBlockManager m = manager(96, 256)) {
            ServingSession session = ServingSession.open(m, engine, 7);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    SplittableRandom r = new SplittableRandom(thread);
                    int reused = 0;
                    try (EngineSequence s = engine.newSequence()) {
                        for (int i = 0; i < 40; i++) {
                            int[] prompt = concat(bases[r.nextInt(bases.length)], tokens(r.nextLong(), 1 + r.nextInt(9)));
                            s.clear();
                            ServedRequest served = session.serve(s, prompt);
                            assertArrayEquals(recompute(prompt), served.logits(), "thread " + thread + " request " + i);
                            reused += served.reusedBlocks();
                        }
                    }
                    return reused;
                }));
            }
            int reused = 0;
            for (Future<Integer> f : results) {
                reused += f.get(60, TimeUnit.SECONDS);
            }
            pool.shutdown();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
            assertTrue(reused > 100, "shared prefixes are reused across threads (" + reused + " blocks)");
            m.awaitOffloads();
        }
    }

    @Test
    void theEngineReplayCountsPagesAndMatchesAnUnboundedCacheWhenG1HoldsEverything() {
        List<TraceRequest> trace = List.of(
                new TraceRequest(0, 0, 0, new long[] {1, 2, 3}),
                new TraceRequest(1, 0, 0, new long[] {1, 2, 3, 4, 5}),
                new TraceRequest(2, 0, 0, new long[] {7, 8}),
                new TraceRequest(3, 0, 0, new long[] {1, 2, 9}),
                new TraceRequest(4, 0, 0, new long[] {7, 8, 10, 11}));
        try (KvBlockManager m = manager(64, 64)) {
            ServingSession session = ServingSession.open(m, engine, 0);
            // 8 tokens per trace id = 2 pages of 4 tokens.
            EngineReplayReport report = EngineReplayer.run(session, trace, new EngineReplayer.Options(8, 1, 3), null);
            assertEquals(5, report.blocks().requests());
            assertEquals(2 * (3 + 5 + 2 + 3 + 4), report.blocks().blocks());
            // Reused pages: request 1 reuses ids 1..3 (6 pages), request 3 ids 1,2 (4), request 4 ids 7,8 (4).
            assertEquals(14, report.blocks().totalHits());
            assertEquals(report.blocks().maxHits(), report.blocks().totalHits());
            assertEquals(14, report.blocks().hits().get(Tier.G1));
            assertEquals(5, report.baselineRequests());
            assertEquals(3, report.verified());
            assertEquals(0, report.logitMismatches());
            assertTrue(report.ttftSpeedup() > 0);
            assertEquals("prefix-test-engine", report.engine());
        }
    }

    @Test
    void traceTokensAreTheSameForAnIdAndDifferAcrossIds() {
        TraceTokens t = new TraceTokens(16, 512);
        assertArrayEquals(t.prompt(new long[] {5}), t.prompt(new long[] {5}));
        assertNotEquals(Arrays.toString(t.prompt(new long[] {5})), Arrays.toString(t.prompt(new long[] {6})));
        assertArrayEquals(Arrays.copyOf(t.prompt(new long[] {5, 6}), 16), t.prompt(new long[] {5}));
        assertThrows(KvbmException.class, () -> new TraceTokens(0, 512));
    }
}
