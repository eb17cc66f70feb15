package dev.kvbm.engine.llamacpp.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.KvbmException;
import dev.kvbm.api.Tier;
import dev.kvbm.api.config.ConfigKeys;
import dev.kvbm.api.spi.EngineModel;
import dev.kvbm.api.spi.EngineOptions;
import dev.kvbm.api.spi.EngineSequence;
import dev.kvbm.api.spi.RandomModelSpec;
import dev.kvbm.core.integrity.BlockBytes;
import dev.kvbm.core.integrity.IntegrityMode;
import dev.kvbm.core.manager.KvBlockManager;
import dev.kvbm.core.pool.ImmutableBlock;
import dev.kvbm.core.engine.ServedRequest;
import dev.kvbm.core.engine.ServingSession;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * llama.cpp on a real KvBlockManager: G1 host memory, G2 pinned host memory, G3 disk, the serving session in
 * between. Every reused token comes from kvbm (each request starts from an empty llama.cpp sequence), and
 * the logits after reuse equal a full recompute bit for bit (1 thread: llama.cpp is then deterministic).
 */
class LlamaCppOnKvbmTest {
    static final int PAGE = 16;

    @TempDir
    Path disk;

    static EngineModel open(RandomModelSpec spec) {
        return TinyModels.connector().open(new EngineOptions(TinyModels.gguf(spec), 1, 512));
    }

    KvBlockManager manager(EngineModel model, int g1, int g2, int g3) {
        return KvBlockManager.builder().geometry(model.geometry().layout(1, PAGE)).integrity(IntegrityMode.ALWAYS)
                .diskOffloadFilter(false).tierBlocks(Tier.G1, g1).tierBlocks(Tier.G2, g2).tierBlocks(Tier.G3, g3)
                .tierProvider(Tier.G1, "host-system").tierProvider(Tier.G2, "host-pinned").tierProvider(Tier.G3, "disk")
                .options(Map.of(ConfigKeys.DISK_CACHE_DIR, disk.toString())).build();
    }

    static int[] bits(float[] logits) {
        int[] b = new int[logits.length];
        for (int i = 0; i < logits.length; i++) {
            b[i] = Float.floatToRawIntBits(logits[i]);
        }
        return b;
    }

    static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static float[] recompute(EngineModel model, int[] prompt) {
        try (EngineSequence s = model.newSequence()) {
            return s.decode(prompt);
        }
    }

    static ServedRequest serve(ServingSession session, int[] prompt) {
        try (EngineSequence s = session.model().newSequence()) {
            ServedRequest r = session.serve(s, prompt);
            session.manager().awaitOffloads();
            return r;
        }
    }

    /** A: 512 tokens; B: 512 unrelated ones push A's tail out of G1 and G2; A2: A's first 448 and 64 new. */
    @Test
    void aPromptPushedDownTheTiersIsRestoredFromG1G2AndG3WithExactLogits() {
        RandomModelSpec spec = TinyModels.SMALL;
        int[] a = TinyModels.tokens(11, 512, spec.vocab());
        int[] b = TinyModels.tokens(12, 512, spec.vocab());
        int[] a2 = concat(Arrays.copyOf(a, 448), TinyModels.tokens(13, 64, spec.vocab()));
        try (EngineModel model = open(spec); KvBlockManager m = manager(model, 40, 56, 256)) {
            ServingSession session = ServingSession.open(m, model, 0);
            assertEquals(0, serve(session, a).reusedBlocks());
            assertEquals(0, serve(session, b).reusedBlocks());
            ServedRequest again = serve(session, a2);
            assertEquals(8, again.hits().get(Tier.G1), "A's head stays in G1 (leaf-first eviction)");
            assertEquals(16, again.hits().get(Tier.G2));
            assertEquals(4, again.hits().get(Tier.G3), "A's tail was evicted from G2; G3 still holds it");
            assertEquals(28, again.reusedBlocks());
            assertEquals(0, again.checksumFailures());
            assertEquals(4, again.savedBlocks());
            assertArrayEquals(bits(recompute(model, a2)), bits(again.logits()), "logits after reuse, bit for bit");
        }
    }

    @Test
    void aCorruptedG2BlockIsCaughtRecomputedAndTheLogitsStayExact() {
        RandomModelSpec spec = TinyModels.SMALL;
        int[] a = TinyModels.tokens(21, 512, spec.vocab());
        int[] a2 = concat(Arrays.copyOf(a, 448), TinyModels.tokens(23, 64, spec.vocab()));
        try (EngineModel model = open(spec); KvBlockManager m = manager(model, 40, 56, 256)) {
            ServingSession session = ServingSession.open(m, model, 0);
            serve(session, a);
            serve(session, TinyModels.tokens(22, 512, spec.vocab()));
            long victimHash = session.sequenceHashes(a)[12];
            List<ImmutableBlock> held = m.tier(Tier.G2).pool().matchSequenceHashes(new long[] {victimHash});
            int victim = held.getFirst().blockId();
            held.getFirst().close();
            MemorySegment page = BlockBytes.segments(m.tier(Tier.G2).physical(), victim).getFirst();
            page.set(ValueLayout.JAVA_BYTE, 100, (byte) (page.get(ValueLayout.JAVA_BYTE, 100) ^ 0x10));
            ServedRequest again = serve(session, a2);
            assertEquals(1, again.checksumFailures());
            assertEquals(8 + 4, again.reusedBlocks(), "the prefix ends before the corrupt block");
            assertArrayEquals(bits(recompute(model, a2)), bits(again.logits()));
        }
    }

    @Test
    void fourThreadsServeOnOneManagerWithExactLogits() throws Exception {
        RandomModelSpec spec = TinyModels.SMALL;
        int[][] bases = new int[3][];
        for (int i = 0; i < bases.length; i++) {
            bases[i] = TinyModels.tokens(100 + i, 64 + 32 * i, spec.vocab());
        }
        try (EngineModel model = open(spec); KvBlockManager m = manager(model, 96, 192, 0)) {
            ServingSession session = ServingSession.open(m, model, 0);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<Integer>> runs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                runs.add(pool.submit(() -> {
                    SplittableRandom r = new SplittableRandom(thread);
                    int reused = 0;
                    try (EngineSequence s = model.newSequence()) {
                        for (int i = 0; i < 6; i++) {
                            int[] prompt = concat(bases[r.nextInt(bases.length)],
                                    TinyModels.tokens(r.nextLong(), 1 + r.nextInt(40), spec.vocab()));
                            s.clear();
                            ServedRequest served = session.serve(s, prompt);
                            assertArrayEquals(bits(recompute(model, prompt)), bits(served.logits()),
                                    "thread " + thread + " request " + i);
                            reused += served.reusedBlocks();
                        }
                    }
                    return reused;
                }));
            }
            int reused = 0;
            for (Future<Integer> f : runs) {
                reused += f.get(5, TimeUnit.MINUTES);
            }
            pool.shutdown();
            assertTrue(pool.awaitTermination(1, TimeUnit.MINUTES));
            assertTrue(reused > 0, "shared prefixes were reused across threads");
            m.awaitOffloads();
        }
    }

    @Test
    void anotherModelNeverReusesABlockAndAGeometryThatDoesNotFitIsRefused() {
        RandomModelSpec spec = TinyModels.SMALL;
        RandomModelSpec sameShapeOtherWeights = new RandomModelSpec(spec.layers(), spec.hidden(), spec.heads(),
                spec.kvHeads(), spec.ffn(), spec.vocab(), spec.context(), spec.seed() + 1);
        int[] prompt = TinyModels.tokens(31, 96, spec.vocab());
        try (EngineModel model = open(spec); EngineModel other = open(sameShapeOtherWeights);
             KvBlockManager m = manager(model, 32, 32, 0)) {
            ServingSession mine = ServingSession.open(m, model, 0);
            ServingSession theirs = ServingSession.open(m, other, 0);
            serve(mine, prompt);
            assertEquals(0, serve(theirs, prompt).reusedBlocks(), "another model's KV is never reused");
            assertEquals(5, serve(mine, prompt).reusedBlocks());
        }
        RandomModelSpec wider = new RandomModelSpec(spec.layers(), spec.hidden(), spec.heads(), spec.heads(), spec.ffn(),
                spec.vocab(), spec.context(), spec.seed());
        try (EngineModel model = open(spec); EngineModel wide = open(wider); KvBlockManager m = manager(model, 8, 8, 0)) {
            KvbmException e = assertThrows(KvbmException.class, () -> ServingSession.open(m, wide, 0));
            assertTrue(e.getMessage().contains("inner"), e.getMessage());
        }
    }
}
