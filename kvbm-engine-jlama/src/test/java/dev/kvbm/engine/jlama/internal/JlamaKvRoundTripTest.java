package dev.kvbm.engine.jlama.internal;

import static dev.kvbm.engine.jlama.internal.TinyModel.PAGE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.EngineModel;
import dev.kvbm.api.spi.EngineSequence;
import dev.kvbm.api.spi.KvGeometry;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Save -> load through plain off-heap memory standing in for kvbm blocks. On either tensor path (this class
 * also runs in the pure-java-path execution), restored KV continues exactly as the engine's own KV.
 */
class JlamaKvRoundTripTest {

    private final EngineModel model = TinyModel.model();
    private final KvGeometry geometry = model.geometry();

    @Test
    void logitsAfterRestoringEqualContinuingOnTheEnginesOwnKvBitForBit() {
        int blocks = 28; // 448 tokens: not a multiple of Jlama's 256-token batch, the general case
        int[] prompt = TinyModel.tokens(11, blocks * PAGE + 64, model.vocabSize());
        int[] prefix = Arrays.copyOf(prompt, blocks * PAGE);
        int[] suffix = Arrays.copyOfRange(prompt, blocks * PAGE, prompt.length);
        try (OffHeapPages pages = new OffHeapPages(geometry, PAGE, blocks);
             OffHeapPages again = new OffHeapPages(geometry, PAGE, blocks);
             EngineSequence own = model.newSequence();
             EngineSequence restored = model.newSequence()) {
            own.decode(prefix);
            own.save(0, pages);
            float[] continued = own.decode(suffix);

            restored.load(pages);
            assertEquals(blocks * PAGE, restored.length());
            restored.save(0, again);
            assertEquals(-1L, pages.memory().mismatch(again.memory()), "the restored KV bytes are the saved ones");
            float[] afterRestore = restored.decode(suffix);

            assertEquals(0, TinyModel.bitDifferences(continued, afterRestore),
                    "logits differ (max " + TinyModel.maxAbsDifference(continued, afterRestore) + ")");
            assertEquals(own.length(), restored.length());
        }
    }

    @Test
    void savingInPiecesEqualsSavingAtOnce() {
        try (OffHeapPages whole = new OffHeapPages(geometry, PAGE, 20);
             OffHeapPages pieces = new OffHeapPages(geometry, PAGE, 20);
             EngineSequence s = model.newSequence()) {
            s.decode(TinyModel.tokens(12, 20 * PAGE + 5, model.vocabSize()));
            s.save(0, whole);
            s.save(0, pieces.slice(0, 7));
            s.save(7, pieces.slice(7, 13));
            assertEquals(-1L, whole.memory().mismatch(pieces.memory()));
            // Not all zero: real KV was copied.
            byte[] first = whole.region(0, 0, 0).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            assertTrue(countNonZero(first) > first.length / 2, "K of layer 0, block 0 holds data");
        }
    }

    @Test
    void savingTokensNotYetComputedIsRefused() {
        try (OffHeapPages pages = new OffHeapPages(geometry, PAGE, 3); EngineSequence s = model.newSequence()) {
            s.decode(TinyModel.tokens(13, 2 * PAGE + 3, model.vocabSize()));
            KvbmException e = assertThrows(KvbmException.class, () -> s.save(0, pages));
            assertEquals("save of blocks 0..2 needs tokens up to 48, but the sequence holds 35", e.getMessage());
            s.save(0, pages.slice(0, 2)); // the two full blocks are fine
        }
    }

    @Test
    void loadNeedsAnEmptySequenceAndClearEmptiesIt() {
        int[] prompt = TinyModel.tokens(14, 2 * PAGE, model.vocabSize());
        try (OffHeapPages pages = new OffHeapPages(geometry, PAGE, 1); EngineSequence s = model.newSequence();
             EngineSequence fresh = model.newSequence()) {
            s.decode(Arrays.copyOf(prompt, PAGE));
            s.save(0, pages);
            KvbmException e = assertThrows(KvbmException.class, () -> s.load(pages));
            assertEquals(ErrorCode.INVALID_STATE, e.code());
            assertEquals("load needs an empty sequence, but this one holds 16 tokens; clear() it first", e.getMessage());
            s.clear();
            assertEquals(0, s.length());
            // After clear() nothing of the old tokens remains: a new prompt computes as on a fresh sequence.
            int[] other = Arrays.copyOfRange(prompt, PAGE, 2 * PAGE);
            assertArrayEquals(fresh.decode(other), s.decode(other));
            s.clear();
            s.load(pages);
            assertEquals(PAGE, s.length());
        }
    }

    @Test
    void aGeometryThatDoesNotMatchTheModelIsRefused() {
        try (EngineSequence s = model.newSequence();
             OffHeapPages halfInner = new OffHeapPages(geometry.layers(), (long) PAGE * 64 * 4, PAGE, 1);
             OffHeapPages f16 = new OffHeapPages(geometry.layers(), (long) PAGE * geometry.inner() * 2, PAGE, 1)) {
            s.decode(TinyModel.tokens(15, PAGE, model.vocabSize()));
            KvbmException e = assertThrows(KvbmException.class, () -> s.save(0, halfInner));
            assertEquals(ErrorCode.INVALID_CONFIG, e.code());
            assertEquals("pages must be 8192 bytes per region = page 16 x inner 128 x 4 bytes (f32), the model's KV "
                    + "geometry 4x2x128 (got 4096 bytes in block 0 layer 0 outer 0)", e.getMessage());
            s.clear();
            KvbmException load = assertThrows(KvbmException.class, () -> s.load(f16));
            assertTrue(load.getMessage().contains("(got 4096 bytes in block 0 layer 0 outer 0)"), load.getMessage());
        }
    }

    @Test
    void loadingMoreThanTheContextIsRefused() {
        int blocks = TinyModel.CONTEXT / PAGE + 1;
        try (EngineSequence s = model.newSequence(); OffHeapPages pages = new OffHeapPages(geometry, PAGE, blocks)) {
            KvbmException e = assertThrows(KvbmException.class, () -> s.load(pages));
            assertEquals("load would hold 4096 tokens, more than the 4090 of the context", e.getMessage());
            assertEquals(0, s.length());
        }
    }

    private static int countNonZero(byte[] b) {
        int n = 0;
        for (byte x : b) {
            n += x != 0 ? 1 : 0;
        }
        return n;
    }
}
