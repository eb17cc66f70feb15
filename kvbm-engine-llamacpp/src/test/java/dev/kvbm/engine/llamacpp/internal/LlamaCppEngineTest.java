package dev.kvbm.engine.llamacpp.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.EngineModel;
import dev.kvbm.api.spi.EngineOptions;
import dev.kvbm.api.spi.EngineSequence;
import dev.kvbm.api.spi.KvGeometry;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** llama.cpp itself: the random GGUF loads, the geometry, determinism, and KV reuse through kvbm-shaped blocks. */
class LlamaCppEngineTest {
    private static final int PAGE = 16;

    private static EngineModel open(int threads, String kvType) {
        return open(threads, kvType, 512);
    }

    private static EngineModel open(int threads, String kvType, int ubatch) {
        return TinyModels.connector().open(new EngineOptions(TinyModels.gguf(TinyModels.SMALL), threads, 512,
                Map.of("kv-type", kvType, "ubatch", Integer.toString(ubatch))));
    }

    private static int[] rawBits(float[] logits) {
        int[] bits = new int[logits.length];
        for (int i = 0; i < logits.length; i++) {
            bits[i] = Float.floatToRawIntBits(logits[i]);
        }
        return bits;
    }

    @Test
    void theRandomModelLoadsWithItsGeometry() {
        var spec = TinyModels.SMALL;
        try (EngineModel f16 = open(1, "f16"); EngineModel f32 = open(1, "f32")) {
            assertEquals(new KvGeometry(spec.layers(), 2, spec.kvHeads() * spec.headDim(), 2, "f16"), f16.geometry());
            assertEquals(new KvGeometry(spec.layers(), 2, spec.kvHeads() * spec.headDim(), 4, "f32"), f32.geometry());
            assertEquals(spec.vocab(), f16.vocabSize());
            assertEquals(512, f16.contextTokens());
            assertTrue(f16.engine().startsWith("llama.cpp"), f16.engine());
            assertEquals(64, f16.identity().length());
            assertNotEquals(f16.identity(), f32.identity(), "the KV type is part of the identity");
        }
        // The default tiny model of kvbm model: 4 layers, 4 KV heads x head dim 32.
        try (EngineModel tiny = TinyModels.connector().open(new EngineOptions(TinyModels.gguf(
                dev.kvbm.api.spi.RandomModelSpec.TINY), 1, 64))) {
            assertEquals(new KvGeometry(4, 2, 128, 2, "f16"), tiny.geometry());
            assertEquals(512, tiny.vocabSize());
        }
    }

    @Test
    void decodeIsDeterministicWithOneThread() {
        int[] prompt = TinyModels.tokens(1, 40, TinyModels.SMALL.vocab());
        int[] other = TinyModels.tokens(2, 40, TinyModels.SMALL.vocab());
        try (EngineModel model = open(1, "f16"); EngineSequence a = model.newSequence();
             EngineSequence b = model.newSequence()) {
            float[] first = a.decode(prompt);
            float[] second = b.decode(prompt);
            assertEquals(model.vocabSize(), first.length);
            assertTrue(Arrays.stream(rawBits(first)).allMatch(bits -> Float.isFinite(Float.intBitsToFloat(bits))));
            assertArrayEquals(rawBits(first), rawBits(second));
            assertEquals(40, a.length());
            a.clear();
            assertEquals(0, a.length());
            assertNotEquals(Arrays.toString(first), Arrays.toString(a.decode(other)), "other tokens, other logits");
        }
    }

    /**
     * The suffix after a restore is shorter than the prompt's micro-batches (down to one token): padding keeps every
     * token on llama.cpp's tiled kernel, so the bits agree whatever the split.
     */
    @ParameterizedTest(name = "kv {0}, {1} thread(s), ubatch {2}, {3} tokens past the restored blocks")
    @CsvSource({"f16, 1, 512, 23", "f32, 1, 512, 23", "f16, 2, 512, 23", "f16, 1, 64, 23", "f16, 1, 512, 1",
            "f16, 1, 64, 40"})
    void logitsAfterReuseEqualAFullRecomputeBitForBit(String kvType, int threads, int ubatch, int extra) {
        int blocks = 8;
        int restored = 6;
        int[] prompt = TinyModels.tokens(3, restored * PAGE + extra, TinyModels.SMALL.vocab());
        try (EngineModel model = open(threads, kvType, ubatch);
             TestPages pages = new TestPages(model.geometry(), PAGE, blocks)) {
            float[] full;
            try (EngineSequence s = model.newSequence()) {
                full = s.decode(Arrays.copyOf(prompt, 40));
                full = s.decode(Arrays.copyOfRange(prompt, 40, prompt.length));
                s.save(0, pages.slice(0, 3));
                s.save(3, pages.slice(3, restored - 3));
            }
            float[] oneGo;
            try (EngineSequence s = model.newSequence()) {
                oneGo = s.decode(prompt);
            }
            assertArrayEquals(rawBits(oneGo), rawBits(full), "one decode call or two");
            float[] reused;
            try (EngineSequence s = model.newSequence()) {
                s.load(pages.slice(0, restored));
                assertEquals(restored * PAGE, s.length());
                reused = s.decode(Arrays.copyOfRange(prompt, restored * PAGE, prompt.length));
                assertEquals(prompt.length, s.length());
                // The restored KV saved again is the same bytes as the original blocks.
                try (TestPages again = new TestPages(model.geometry(), PAGE, restored)) {
                    s.save(0, again);
                    for (int b = 0; b < restored; b++) {
                        for (int l = 0; l < model.geometry().layers(); l++) {
                            for (int o = 0; o < 2; o++) {
                                assertEquals(-1L, pages.region(b, l, o).mismatch(again.region(b, l, o)),
                                        "block " + b + " layer " + l + " outer " + o);
                            }
                        }
                    }
                }
            }
            assertArrayEquals(rawBits(full), rawBits(reused), "logits after restoring " + restored + " blocks");
        }
    }

    @Test
    void aForeignBlobIsRefusedWithTheField() {
        int[] prompt = TinyModels.tokens(4, 20, TinyModels.SMALL.vocab());
        try (EngineModel f16 = open(1, "f16"); EngineModel f32 = open(1, "f32")) {
            LlamaCppModel m16 = (LlamaCppModel) f16;
            LlamaCppModel m32 = (LlamaCppModel) f32;
            try (LlamaCppSequence s = (LlamaCppSequence) f32.newSequence()) {
                s.decode(prompt);
                MemorySegment blob = s.context().saveState();
                KvbmException e = assertThrows(KvbmException.class,
                        () -> SequenceState.parse(blob, LlamaContext.SEQ, m16.shape()));
                assertEquals(ErrorCode.PROTOCOL_ERROR, e.code());
                assertTrue(e.getMessage().contains("layer 0 K type expected 1 (f16), got 0 (f32)"), e.getMessage());
                assertEquals(20, SequenceState.parse(blob, LlamaContext.SEQ, m32.shape()).cells());
                blob.set(ValueLayout.JAVA_INT_UNALIGNED, 0, 0x12345678);
                KvbmException magic = assertThrows(KvbmException.class,
                        () -> SequenceState.parse(blob, LlamaContext.SEQ, m32.shape()));
                assertTrue(magic.getMessage().contains("magic expected 0xaf143cd8, got 0x12345678"), magic.getMessage());
            }
        }
    }

    @Test
    void blocksOfAnotherGeometryAreRefusedBeforeTheEngineSeesThem() {
        try (EngineModel model = open(1, "f16"); EngineSequence s = model.newSequence();
             TestPages wide = new TestPages(model.geometry().layers(),
                     (long) PAGE * model.geometry().inner() * 4, PAGE, 2)) {
            KvbmException e = assertThrows(KvbmException.class, () -> s.load(wide));
            assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
            long expected = (long) PAGE * model.geometry().inner() * 2;
            assertTrue(e.getMessage().contains("block 0 layer 0 K region must be " + expected + " bytes"), e.getMessage());
            assertEquals(0, s.length());
            s.decode(new int[] {1, 2, 3});
            assertThrows(KvbmException.class, () -> s.save(0, wide), "saving needs computed tokens and the geometry");
        }
    }

    @Test
    void twoSequencesRunOnTwoThreadsAtOnce() throws Exception {
        int vocab = TinyModels.SMALL.vocab();
        int[][] prompts = {TinyModels.tokens(10, 150, vocab), TinyModels.tokens(11, 170, vocab)};
        try (EngineModel model = open(1, "f16")) {
            int[][] alone = new int[2][];
            for (int i = 0; i < 2; i++) {
                try (EngineSequence s = model.newSequence()) {
                    alone[i] = rawBits(s.decode(prompts[i]));
                }
            }
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                for (int round = 0; round < 3; round++) {
                    Future<?>[] runs = new Future<?>[2];
                    for (int i = 0; i < 2; i++) {
                        int which = i;
                        runs[i] = pool.submit(() -> {
                            int[] p = prompts[which];
                            int half = p.length / 2;
                            int[] direct;
                            try (EngineSequence s = model.newSequence(); TestPages pages = new TestPages(
                                    model.geometry(), PAGE, 4)) {
                                s.decode(Arrays.copyOf(p, half));
                                direct = rawBits(s.decode(Arrays.copyOfRange(p, half, p.length)));
                                s.save(0, pages);
                                try (EngineSequence reuse = model.newSequence()) {
                                    reuse.load(pages);
                                    int[] reused = rawBits(reuse.decode(Arrays.copyOfRange(p, 4 * PAGE, p.length)));
                                    assertArrayEquals(direct, reused, "reuse on thread " + which);
                                }
                            }
                            return direct;
                        });
                    }
                    for (int i = 0; i < 2; i++) {
                        assertArrayEquals(alone[i], (int[]) runs[i].get(), "round " + round + " prompt " + i);
                    }
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void badOptionsAreRefusedWithTheField() {
        LlamaCppConnector c = TinyModels.connector();
        var file = TinyModels.gguf(TinyModels.SMALL);
        KvbmException type = assertThrows(KvbmException.class,
                () -> c.open(new EngineOptions(file, 1, 64, Map.of("kv-type", "q8_0"))));
        assertTrue(type.getMessage().contains("kv-type must be f16 or f32 (got q8_0)"), type.getMessage());
        KvbmException unknown = assertThrows(KvbmException.class,
                () -> c.open(new EngineOptions(file, 1, 64, Map.of("flash", "off"))));
        assertTrue(unknown.getMessage().contains("option flash"), unknown.getMessage());
        KvbmException notGguf = assertThrows(KvbmException.class,
                () -> c.open(new EngineOptions(file.resolveSibling("missing.gguf"), 1, 64)));
        assertEquals("model", notGguf.field().orElseThrow());
        try (EngineModel model = c.open(new EngineOptions(file, 1, 64)); EngineSequence s = model.newSequence()) {
            assertThrows(KvbmException.class, () -> s.decode(new int[65]), "longer than the context");
            assertThrows(KvbmException.class, () -> s.decode(new int[] {TinyModels.SMALL.vocab()}), "token id");
            s.decode(new int[] {1});
            assertThrows(KvbmException.class, () -> s.load(new TestPages(model.geometry(), PAGE, 1)), "not empty");
        }
    }
}
