package dev.kvbm.engine.jlama.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.RandomModelSpec;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RandomJlamaModelTest {

    private static final String[] FILES = {RandomJlamaModel.CONFIG, RandomJlamaModel.TOKENIZER, RandomJlamaModel.WEIGHTS};

    @TempDir
    Path tmp;

    @Test
    void theSameSpecWritesTheSameBytes() throws IOException {
        RandomJlamaModel.write(RandomModelSpec.TINY, tmp.resolve("a"));
        RandomJlamaModel.write(RandomModelSpec.TINY, tmp.resolve("b"));
        for (String f : FILES) {
            assertEquals(-1L, Files.mismatch(tmp.resolve("a").resolve(f), tmp.resolve("b").resolve(f)), f);
        }
    }

    @Test
    void anotherSeedGivesOtherWeightsAndTheSameTokenizer() throws IOException {
        RandomModelSpec t = RandomModelSpec.TINY;
        RandomJlamaModel.write(t, tmp.resolve("a"));
        RandomJlamaModel.write(new RandomModelSpec(t.layers(), t.hidden(), t.heads(), t.kvHeads(), t.ffn(), t.vocab(),
                t.context(), t.seed() + 1), tmp.resolve("b"));
        assertNotEquals(-1L, Files.mismatch(tmp.resolve("a/model.safetensors"), tmp.resolve("b/model.safetensors")));
        assertEquals(-1L, Files.mismatch(tmp.resolve("a/tokenizer.json"), tmp.resolve("b/tokenizer.json")));
    }

    @Test
    void configHoldsTheSpecSizes() throws IOException {
        RandomModelSpec spec = new RandomModelSpec(3, 128, 4, 2, 384, 300, 1024, 9);
        RandomJlamaModel.write(spec, tmp);
        String config = Files.readString(tmp.resolve(RandomJlamaModel.CONFIG));
        for (String kv : new String[] {"\"model_type\": \"llama\"", "\"hidden_size\": 128", "\"intermediate_size\": 384",
                "\"num_attention_heads\": 4", "\"num_key_value_heads\": 2", "\"num_hidden_layers\": 3",
                "\"vocab_size\": 300", "\"max_position_embeddings\": 1024"}) {
            assertTrue(config.contains(kv), kv + " in " + config);
        }
        assertTrue(Files.readString(tmp.resolve(RandomJlamaModel.TOKENIZER)).contains("\"<t299>\":299"));
    }

    @Test
    void safetensorsHoldEveryTensorAsSmallFiniteF32() throws IOException {
        RandomModelSpec spec = RandomModelSpec.TINY;
        RandomJlamaModel.write(spec, tmp);
        ByteBuffer file = ByteBuffer.wrap(Files.readAllBytes(tmp.resolve(RandomJlamaModel.WEIGHTS)))
                .order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = file.getLong();
        String header = new String(file.array(), 8, (int) headerLength, StandardCharsets.UTF_8);
        assertEquals(0, (8 + headerLength) % 8, "the data starts 8-byte aligned");
        long elements = 0;
        for (RandomJlamaModel.Tensor t : RandomJlamaModel.tensors(spec)) {
            assertTrue(header.contains("\"" + t.name() + "\":{\"dtype\":\"F32\""), t.name());
            elements += t.elements();
        }
        assertTrue(header.contains("\"model.layers.3.self_attn.k_proj.weight\":{\"dtype\":\"F32\",\"shape\":[128,256]"),
                "K projection is [kvHeads x headDim, hidden]");
        assertEquals(8 + headerLength + elements * Float.BYTES, file.capacity());
        file.position((int) (8 + headerLength));
        float maxAbs = 0;
        while (file.hasRemaining()) {
            float v = file.getFloat();
            assertTrue(Float.isFinite(v));
            maxAbs = Math.max(maxAbs, Math.abs(v));
        }
        assertEquals(1f, maxAbs, 1e-3f, "embeddings and norm weights reach 1, projections stay within 1/sqrt(fan-in)");
    }

    @Test
    void aFileIsNotAModelFolder() throws IOException {
        Path file = Files.writeString(tmp.resolve("x.gguf"), "not a folder");
        KvbmException e = assertThrows(KvbmException.class, () -> RandomJlamaModel.write(RandomModelSpec.TINY, file));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertTrue(e.getMessage().contains("out must be a folder for the jlama format"), e.getMessage());
    }

    /** The writer runs where Jlama is absent: through a class loader that holds only this connector and kvbm-api. */
    @Test
    void writingNeedsNoJlamaClass() throws Exception {
        URL connector = JlamaConnector.class.getProtectionDomain().getCodeSource().getLocation();
        URL api = KvbmException.class.getProtectionDomain().getCodeSource().getLocation();
        try (URLClassLoader bare = new URLClassLoader(new URL[] {connector, api}, ClassLoader.getPlatformClassLoader())) {
            assertThrows(ClassNotFoundException.class,
                    () -> Class.forName("com.github.tjake.jlama.model.AbstractModel", false, bare));
            Class<?> specType = bare.loadClass(RandomModelSpec.class.getName());
            Class<?> connectorType = bare.loadClass(JlamaConnector.class.getName());
            Object c = connectorType.getConstructor().newInstance();
            connectorType.getMethod("writeRandomModel", specType, Path.class).invoke(c, specType.getField("TINY").get(null),
                    tmp.resolve("bare"));
        }
        RandomJlamaModel.write(RandomModelSpec.TINY, tmp.resolve("here"));
        for (String f : FILES) {
            assertEquals(-1L, Files.mismatch(tmp.resolve("bare").resolve(f), tmp.resolve("here").resolve(f)), f);
        }
    }
}
