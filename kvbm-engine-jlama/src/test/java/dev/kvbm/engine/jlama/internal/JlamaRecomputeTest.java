package dev.kvbm.engine.jlama.internal;

import static dev.kvbm.engine.jlama.internal.TinyModel.PAGE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kvbm.api.spi.EngineModel;
import dev.kvbm.api.spi.EngineSequence;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Logits after restoring a prefix from kvbm blocks vs a full recompute of the whole prompt, as exact as
 * each of Jlama's tensor paths allows (Jlama prefills in batches of 256 tokens):
 * <ul>
 * <li>pure-Java path ({@code -Djlama.force_panama_tensor_operations=true}, the pure-java-path surefire
 *     execution), after JIT warm-up: bit for bit, whatever the prefix length;</li>
 * <li>native SIMD path (the default execution): bit for bit when the prefix is a multiple of 256 tokens
 *     (both computations split into the same batches); otherwise the prefix KV bytes depend on the batch
 *     split and the raw logits differ, by at most {@link #NATIVE_BOUND} (measured: 1.3e-3).</li>
 * </ul>
 */
class JlamaRecomputeTest {

    /** Bound on |logit after reuse - logit of a full recompute| on the native path with another batch split. */
    static final double NATIVE_BOUND = 1e-2;

    private static final int TOTAL = 512;
    private static EngineModel model;

    @BeforeAll
    static void openWarm() {
        model = TinyModel.model(); // warmed up: exact comparisons hold from here on
    }

    @Test
    void pureJavaPathReuseEqualsFullRecomputeBitForBit() {
        assumeTrue(TinyModel.pureJavaPath(), "this JVM runs Jlama's native SIMD path; the pure-java-path execution "
                + "(-Djlama.force_panama_tensor_operations=true) runs this test");
        for (int blocks : new int[] {28, 16, 1, 31}) {
            float[][] r = reuseAndRecompute(TinyModel.tokens(blocks, TOTAL, model.vocabSize()), blocks);
            assertEquals(0, TinyModel.bitDifferences(r[0], r[1]), blocks + " cached blocks: max difference "
                    + TinyModel.maxAbsDifference(r[0], r[1]));
        }
    }

    @Test
    void nativePathIsBitExactForBatchAlignedPrefixesAndBoundedOtherwise() {
        assumeFalse(TinyModel.pureJavaPath(), "this JVM runs the pure-Java path (see the other test)");
        float[][] aligned = reuseAndRecompute(TinyModel.tokens(7, TOTAL, model.vocabSize()), 256 / PAGE);
        assertEquals(0, TinyModel.bitDifferences(aligned[0], aligned[1]),
                "256 cached tokens: the same batches, max difference " + TinyModel.maxAbsDifference(aligned[0], aligned[1]));
        float[][] other = reuseAndRecompute(TinyModel.tokens(8, TOTAL, model.vocabSize()), 28);
        double diff = TinyModel.maxAbsDifference(other[0], other[1]);
        assertTrue(diff <= NATIVE_BOUND, "448 cached tokens: max logit difference " + diff + " > " + NATIVE_BOUND);
        assertTrue(TinyModel.bitDifferences(other[0], other[1]) > 0 || diff == 0, "consistent counts");
    }

    /** {reuse logits, full-recompute logits}: the prefix is computed alone, saved, restored, the rest prefilled. */
    static float[][] reuseAndRecompute(int[] prompt, int cachedBlocks) {
        int cached = cachedBlocks * PAGE;
        try (OffHeapPages pages = new OffHeapPages(model.geometry(), PAGE, cachedBlocks);
             EngineSequence first = model.newSequence();
             EngineSequence reuse = model.newSequence();
             EngineSequence full = model.newSequence()) {
            first.decode(Arrays.copyOf(prompt, cached));
            first.save(0, pages);
            reuse.load(pages);
            float[] reused = reuse.decode(Arrays.copyOfRange(prompt, cached, prompt.length));
            return new float[][] {reused, full.decode(prompt)};
        }
    }
}
