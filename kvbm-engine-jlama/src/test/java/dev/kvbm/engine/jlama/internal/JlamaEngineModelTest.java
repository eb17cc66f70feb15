package dev.kvbm.engine.jlama.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.EngineModel;
import dev.kvbm.api.spi.EngineOptions;
import dev.kvbm.api.spi.EngineSequence;
import dev.kvbm.api.spi.KvGeometry;
import dev.kvbm.api.spi.RandomModelSpec;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JlamaEngineModelTest {

    private final JlamaConnector connector = new JlamaConnector();

    @Test
    void geometryComesFromTheModelConfigAndTheKvBufferType() {
        EngineModel m = TinyModel.model();
        // 4 layers, K and V, 4 KV heads x head dim 256 / 8 = 32; Jlama's KvBuffer holds F32 rows (F32 working memory).
        assertEquals(new KvGeometry(4, 2, 128, 4, "f32"), m.geometry());
        assertEquals(512, m.vocabSize());
        assertEquals(TinyModel.CONTEXT, m.contextTokens());
        assertTrue(m.engine().startsWith("jlama 0.8.4 ("), m.engine());
    }

    @Test
    void logitsAreRawFiniteAndOnePerVocabularyEntry() {
        try (EngineSequence s = TinyModel.model().newSequence()) {
            float[] logits = s.decode(TinyModel.tokens(1, 40, 512));
            assertEquals(512, logits.length);
            double sum = 0;
            for (float v : logits) {
                assertTrue(Float.isFinite(v));
                sum += v;
            }
            assertNotEquals(1.0, sum, 1e-3, "raw logits, not softmax probabilities");
            assertEquals(40, s.length());
        }
    }

    @Test
    void identityIsSha256HexStableAndChangesWithTheWeightsAndTheKvType() {
        EngineModel m = TinyModel.model();
        assertTrue(m.identity().matches("[0-9a-f]{64}"), m.identity());
        KvGeometry g = m.geometry();
        assertEquals(m.identity(), ModelIdentity.of(TinyModel.folder(), g), "the same files and geometry");
        assertNotEquals(m.identity(), ModelIdentity.of(TinyModel.folder(),
                new KvGeometry(g.layers(), g.outer(), g.inner(), 2, "bf16")));
        RandomModelSpec t = RandomModelSpec.TINY;
        Path other = TinyModel.write(new RandomModelSpec(t.layers(), t.hidden(), t.heads(), t.kvHeads(), t.ffn(), t.vocab(),
                t.context(), t.seed() + 1));
        assertNotEquals(m.identity(), ModelIdentity.of(other, g), "another seed, other weights");
    }

    @Test
    void aFolderWithoutAModelIsRefused(@TempDir Path empty) {
        KvbmException e = assertThrows(KvbmException.class,
                () -> connector.open(new EngineOptions(empty, TinyModel.THREADS, 128)));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertTrue(e.getMessage().contains("model must be a Jlama model folder"), e.getMessage());
    }

    @Test
    void aContextLongerThanJlamaCanComputeIsRefused() {
        KvbmException beyond = assertThrows(KvbmException.class,
                () -> connector.open(new EngineOptions(TinyModel.folder(), TinyModel.THREADS, 8192)));
        assertEquals(ErrorCode.INVALID_CONFIG, beyond.code());
        KvbmException rope = assertThrows(KvbmException.class,
                () -> connector.open(new EngineOptions(TinyModel.folder(), TinyModel.THREADS, 4096)));
        assertEquals("contextTokens must be <= 4090: the model's max_position_embeddings (4096) less 6, because Jlama "
                + "0.8.4 reads RoPE frequencies 2 x (kvHeads - 1) positions past a token's own and fails beyond its "
                + "table (got 4096)", rope.getMessage());
    }

    @Test
    void theLastUsablePositionComputes() {
        // 4 layers x 4090 tokens: the whole usable context in one sequence, with no index past Jlama's RoPE table.
        try (EngineSequence s = TinyModel.model().newSequence()) {
            s.decode(TinyModel.tokens(2, TinyModel.CONTEXT - 1, 512));
            assertEquals(512, s.decode(new int[] {7}).length);
            assertEquals(TinyModel.CONTEXT, s.length());
            KvbmException full = assertThrows(KvbmException.class, () -> s.decode(new int[] {7}));
            assertEquals("decode would hold 4091 tokens, more than the 4090 of the context", full.getMessage());
        }
    }

    @Test
    void aThreadCountOtherThanTheProcessWidePoolsIsRefused() {
        TinyModel.model(); // the pool is fixed at TinyModel.THREADS
        assumeTrue(Runtime.getRuntime().availableProcessors() > TinyModel.THREADS, "one processor: no other count to ask");
        KvbmException e = assertThrows(KvbmException.class,
                () -> connector.open(new EngineOptions(TinyModel.folder(), TinyModel.THREADS + 1, 128)));
        assertTrue(e.getMessage().contains("Jlama's compute pool is process-wide"), e.getMessage());
    }

    @Test
    void unknownJlamaOptionsAreRefused() {
        KvbmException e = assertThrows(KvbmException.class, () -> connector.open(
                new EngineOptions(TinyModel.folder(), TinyModel.THREADS, 128, Map.of("jlama.dtype", "bf16"))));
        assertEquals("unknown jlama engine option 'jlama.dtype': the jlama connector takes none", e.getMessage());
    }

    @Test
    void badTokensAndClosedSequencesAreRefused() {
        EngineSequence s = TinyModel.model().newSequence();
        KvbmException range = assertThrows(KvbmException.class, () -> s.decode(new int[] {5, 512}));
        assertEquals("tokens[1] must be in 0..511 (got 512)", range.getMessage());
        assertThrows(KvbmException.class, () -> s.decode(new int[0]));
        assertEquals(0, s.length(), "nothing was computed");
        s.close();
        KvbmException closed = assertThrows(KvbmException.class, () -> s.decode(new int[] {5}));
        assertEquals(ErrorCode.INVALID_STATE, closed.code());
    }
}
