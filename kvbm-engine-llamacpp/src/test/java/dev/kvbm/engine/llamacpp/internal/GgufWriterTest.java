package dev.kvbm.engine.llamacpp.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.spi.RandomModelSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pure-Java GGUF writer: the same seed gives the same bytes, and the file is the GGUF v3 engines.md lists. */
class GgufWriterTest {
    private static final RandomModelSpec SPEC = TinyModels.SMALL;

    @Test
    void theSameSeedWritesTheSameBytesAndAnotherSeedOtherBytes(@TempDir Path dir) throws Exception {
        Path a = dir.resolve("a.gguf");
        Path b = dir.resolve("b.gguf");
        Path c = dir.resolve("c.gguf");
        new LlamaCppConnector().writeRandomModel(SPEC, a);
        new LlamaCppConnector().writeRandomModel(SPEC, b);
        new LlamaCppConnector().writeRandomModel(new RandomModelSpec(SPEC.layers(), SPEC.hidden(), SPEC.heads(),
                SPEC.kvHeads(), SPEC.ffn(), SPEC.vocab(), SPEC.context(), SPEC.seed() + 1), c);
        byte[] first = Files.readAllBytes(a);
        assertArrayEquals(first, Files.readAllBytes(b));
        byte[] other = Files.readAllBytes(c);
        assertEquals(first.length, other.length, "same shape, same size");
        assertFalse(Arrays.equals(first, other), "another seed, other weights");
    }

    @Test
    void theFileIsGgufV3WithTheLlamaKeysAndAlignedTensors(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("m.gguf");
        RandomGgufModel.write(SPEC, file);
        ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(GgufWriter.MAGIC, buf.getInt());
        assertEquals(3, buf.getInt());
        long tensors = buf.getLong();
        long kvs = buf.getLong();
        assertEquals(2 + 9L * SPEC.layers() + 1, tensors);
        Map<String, Object> kv = new LinkedHashMap<>();
        for (long i = 0; i < kvs; i++) {
            String key = string(buf);
            int type = buf.getInt();
            kv.put(key, switch (type) {
                case 4 -> buf.getInt();
                case 6 -> buf.getFloat();
                case 8 -> string(buf);
                default -> throw new AssertionError("unexpected GGUF value type " + type + " for " + key);
            });
        }
        assertEquals("llama", kv.get("general.architecture"));
        assertEquals(32, kv.get("general.alignment"));
        assertEquals(SPEC.context(), kv.get("llama.context_length"));
        assertEquals(SPEC.hidden(), kv.get("llama.embedding_length"));
        assertEquals(SPEC.layers(), kv.get("llama.block_count"));
        assertEquals(SPEC.ffn(), kv.get("llama.feed_forward_length"));
        assertEquals(SPEC.heads(), kv.get("llama.attention.head_count"));
        assertEquals(SPEC.kvHeads(), kv.get("llama.attention.head_count_kv"));
        assertEquals(1e-5f, kv.get("llama.attention.layer_norm_rms_epsilon"));
        assertEquals(SPEC.headDim(), kv.get("llama.rope.dimension_count"));
        assertEquals(SPEC.vocab(), kv.get("llama.vocab_size"));
        assertEquals("none", kv.get("tokenizer.ggml.model"));

        long kvDim = (long) SPEC.kvHeads() * SPEC.headDim();
        Map<String, long[]> expectedShapes = new LinkedHashMap<>();
        expectedShapes.put("token_embd.weight", new long[] {SPEC.hidden(), SPEC.vocab()});
        expectedShapes.put("blk.0.attn_k.weight", new long[] {SPEC.hidden(), kvDim});
        expectedShapes.put("blk.0.ffn_down.weight", new long[] {SPEC.ffn(), SPEC.hidden()});
        expectedShapes.put("output.weight", new long[] {SPEC.hidden(), SPEC.vocab()});
        long expectedOffset = 0;
        long dataBytes = 0;
        for (long t = 0; t < tensors; t++) {
            String name = string(buf);
            int dims = buf.getInt();
            long[] shape = new long[dims];
            long elements = 1;
            for (int d = 0; d < dims; d++) {
                shape[d] = buf.getLong();
                elements *= shape[d];
            }
            assertEquals(0, buf.getInt(), name + " is F32");
            long offset = buf.getLong();
            assertEquals(expectedOffset, offset, name);
            assertEquals(0, offset % 32, name + " aligned");
            if (expectedShapes.containsKey(name)) {
                assertArrayEquals(expectedShapes.remove(name), shape, name);
            }
            expectedOffset = (offset + elements * 4 + 31) / 32 * 32;
            dataBytes = expectedOffset;
        }
        assertTrue(expectedShapes.isEmpty(), "missing tensors " + expectedShapes.keySet());
        long dataStart = (buf.position() + 31) / 32 * 32;
        assertEquals(dataStart + dataBytes, Files.size(file));
        // Weights are small and finite: the first tensor's floats lie in +-1/sqrt(hidden).
        buf.position((int) dataStart);
        float bound = (float) (1 / Math.sqrt(SPEC.hidden()));
        for (int i = 0; i < SPEC.hidden() * SPEC.vocab(); i++) {
            float w = buf.getFloat();
            assertTrue(Math.abs(w) <= bound, "weight " + i + " = " + w);
        }
    }

    private static String string(ByteBuffer buf) {
        byte[] b = new byte[(int) buf.getLong()];
        buf.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }
}
