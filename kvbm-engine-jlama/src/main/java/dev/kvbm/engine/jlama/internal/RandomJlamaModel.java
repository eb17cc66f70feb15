package dev.kvbm.engine.jlama.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.RandomModelSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Writes a randomly initialised Llama model as Jlama reads it: a folder with {@code config.json},
 * a minimal {@code tokenizer.json} and {@code model.safetensors} (F32). Pure Java (no Jlama class, no
 * native code), deterministic from the seed: the same spec gives the same bytes on every JVM.
 */
final class RandomJlamaModel {

    static final String CONFIG = "config.json";
    static final String TOKENIZER = "tokenizer.json";
    static final String WEIGHTS = "model.safetensors";

    static final int BOS = 1;
    static final int EOS = 2;

    private RandomJlamaModel() {
    }

    /** One tensor of the file: HF names and [out, in] shapes; {@code scale} 0 means all ones (norm weights). */
    record Tensor(String name, int rows, int cols, float scale) {
        long elements() {
            return (long) rows * cols;
        }
    }

    static void write(RandomModelSpec spec, Path folder) {
        if (Files.exists(folder) && !Files.isDirectory(folder)) {
            throw KvbmException.forField(ErrorCode.INVALID_ARGUMENT, "out", "out must be a folder for the jlama format "
                    + "(config.json, tokenizer.json, model.safetensors), but " + folder + " is a file");
        }
        try {
            Files.createDirectories(folder);
            Files.writeString(folder.resolve(CONFIG), config(spec), StandardCharsets.UTF_8);
            Files.writeString(folder.resolve(TOKENIZER), tokenizer(spec.vocab()), StandardCharsets.UTF_8);
            writeSafetensors(spec, folder.resolve(WEIGHTS));
        } catch (IOException e) {
            throw new KvbmException(ErrorCode.IO_ERROR, "cannot write the jlama model to " + folder + ": " + e, e);
        }
    }

    static List<Tensor> tensors(RandomModelSpec spec) {
        int h = spec.hidden();
        int kv = spec.kvHeads() * spec.headDim();
        // Uniform in +-1/sqrt(fan-in): activations keep their scale through every layer and stay finite.
        float inH = (float) (1 / Math.sqrt(h));
        float inF = (float) (1 / Math.sqrt(spec.ffn()));
        List<Tensor> t = new ArrayList<>();
        t.add(new Tensor("model.embed_tokens.weight", spec.vocab(), h, 1f));
        for (int l = 0; l < spec.layers(); l++) {
            String p = "model.layers." + l + ".";
            t.add(new Tensor(p + "input_layernorm.weight", 1, h, 0f));
            t.add(new Tensor(p + "self_attn.q_proj.weight", h, h, inH));
            t.add(new Tensor(p + "self_attn.k_proj.weight", kv, h, inH));
            t.add(new Tensor(p + "self_attn.v_proj.weight", kv, h, inH));
            t.add(new Tensor(p + "self_attn.o_proj.weight", h, h, inH));
            t.add(new Tensor(p + "post_attention_layernorm.weight", 1, h, 0f));
            t.add(new Tensor(p + "mlp.gate_proj.weight", spec.ffn(), h, inH));
            t.add(new Tensor(p + "mlp.up_proj.weight", spec.ffn(), h, inH));
            t.add(new Tensor(p + "mlp.down_proj.weight", h, spec.ffn(), inF));
        }
        t.add(new Tensor("model.norm.weight", 1, h, 0f));
        t.add(new Tensor("lm_head.weight", spec.vocab(), h, inH));
        return t;
    }

    static String config(RandomModelSpec s) {
        return String.format(Locale.ROOT, """
                {
                  "architectures": ["LlamaForCausalLM"],
                  "model_type": "llama",
                  "hidden_size": %d,
                  "intermediate_size": %d,
                  "num_attention_heads": %d,
                  "num_key_value_heads": %d,
                  "num_hidden_layers": %d,
                  "vocab_size": %d,
                  "max_position_embeddings": %d,
                  "rms_norm_eps": 1e-05,
                  "rope_theta": 10000.0,
                  "hidden_act": "silu",
                  "bos_token_id": %d,
                  "eos_token_id": %d,
                  "tie_word_embeddings": false,
                  "torch_dtype": "float32",
                  "kvbm_random_seed": %d
                }
                """, s.hidden(), s.ffn(), s.heads(), s.kvHeads(), s.layers(), s.vocab(), s.context(), BOS, EOS, s.seed());
    }

    /** A BPE vocabulary of one placeholder token per id: token ids go straight in, nothing is ever tokenized. */
    static String tokenizer(int vocab) {
        StringBuilder v = new StringBuilder(vocab * 14);
        for (int id = 0; id < vocab; id++) {
            String piece = switch (id) {
                case 0 -> "<unk>";
                case BOS -> "<s>";
                case EOS -> "</s>";
                default -> "<t" + id + ">";
            };
            v.append(id == 0 ? "" : ",").append('"').append(piece).append("\":").append(id);
        }
        return "{\"version\":\"1.0\",\"model\":{\"type\":\"BPE\",\"unk_token\":\"<unk>\",\"fuse_unk\":false,"
                + "\"byte_fallback\":false,\"vocab\":{" + v + "},\"merges\":[]}}\n";
    }

    private static void writeSafetensors(RandomModelSpec spec, Path file) throws IOException {
        List<Tensor> tensors = tensors(spec);
        StringBuilder header = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        long offset = 0;
        for (Tensor t : tensors) {
            long end = offset + t.elements() * Float.BYTES;
            String shape = t.rows() == 1 ? "[" + t.cols() + "]" : "[" + t.rows() + "," + t.cols() + "]";
            header.append(",\"").append(t.name()).append("\":{\"dtype\":\"F32\",\"shape\":").append(shape)
                    .append(",\"data_offsets\":[").append(offset).append(',').append(end).append("]}");
            offset = end;
        }
        header.append('}');
        while ((8 + header.length()) % 8 != 0) {
            header.append(' '); // the data starts 8-byte aligned
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        SplitMix64 random = new SplitMix64(spec.seed());
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer head = ByteBuffer.allocate(8 + json.length).order(ByteOrder.LITTLE_ENDIAN);
            head.putLong(json.length).put(json).flip();
            writeFully(ch, head);
            ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (Tensor t : tensors) {
                for (long i = 0; i < t.elements(); i++) {
                    buf.putFloat(t.scale() == 0f ? 1f : random.nextSymmetric() * t.scale());
                    if (!buf.hasRemaining()) {
                        writeFully(ch, buf.flip());
                        buf.clear();
                    }
                }
            }
            writeFully(ch, buf.flip());
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }

    /** SplitMix64 (Steele, Lea, Flood 2014), spelled out so the weights never depend on a JDK's generator. */
    static final class SplitMix64 {
        private long state;

        SplitMix64(long seed) {
            this.state = seed;
        }

        long next() {
            long z = (state += 0x9E3779B97F4A7C15L);
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }

        /** Uniform in [-1, 1), 24 random bits. */
        float nextSymmetric() {
            return (next() >>> 40) * 0x1.0p-23f - 1f;
        }
    }
}
