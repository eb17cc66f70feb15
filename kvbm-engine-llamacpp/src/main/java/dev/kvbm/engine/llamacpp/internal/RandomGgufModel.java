package dev.kvbm.engine.llamacpp.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.RandomModelSpec;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Writes a randomly initialised Llama-architecture GGUF, the same bytes for the same spec: F32 weights uniform in
 * +-1/sqrt(fan-in) (activations stay finite through every layer), norm weights 1, token ids straight in
 * ({@code tokenizer.ggml.model = "none"} with {@code llama.vocab_size}). Each tensor draws from its own generator
 * seeded by the spec's seed and the tensor's index, so no tensor depends on the write order of another.
 */
final class RandomGgufModel {
    private static final float RMS_EPSILON = 1e-5f;
    private static final float ROPE_FREQ_BASE = 10000f;

    private RandomGgufModel() {
    }

    static void write(RandomModelSpec spec, Path out) {
        GgufWriter w = new GgufWriter()
                .putString("general.architecture", "llama")
                .putString("general.name", "kvbm random llama (seed " + spec.seed() + ")")
                .putU32("general.alignment", GgufWriter.ALIGNMENT)
                .putU32("llama.context_length", spec.context())
                .putU32("llama.embedding_length", spec.hidden())
                .putU32("llama.block_count", spec.layers())
                .putU32("llama.feed_forward_length", spec.ffn())
                .putU32("llama.attention.head_count", spec.heads())
                .putU32("llama.attention.head_count_kv", spec.kvHeads())
                .putF32("llama.attention.layer_norm_rms_epsilon", RMS_EPSILON)
                .putF32("llama.rope.freq_base", ROPE_FREQ_BASE)
                .putU32("llama.rope.dimension_count", spec.headDim())
                .putU32("llama.vocab_size", spec.vocab())
                .putString("tokenizer.ggml.model", "none");
        long embd = spec.hidden();
        long kv = (long) spec.kvHeads() * spec.headDim();
        long ff = spec.ffn();
        long vocab = spec.vocab();
        int[] index = {0};
        java.util.function.BiFunction<String, long[], GgufWriter> random =
                (name, dims) -> w.tensor(name, dims, new Uniform(spec.seed(), index[0]++, 1 / Math.sqrt(dims[0])));
        java.util.function.BiFunction<String, long[], GgufWriter> ones = (name, dims) -> {
            index[0]++;
            return w.tensor(name, dims, (first, buf) -> {
                while (buf.hasRemaining()) {
                    buf.put(1f);
                }
            });
        };
        random.apply("token_embd.weight", new long[] {embd, vocab});
        for (int l = 0; l < spec.layers(); l++) {
            String b = "blk." + l + ".";
            ones.apply(b + "attn_norm.weight", new long[] {embd});
            random.apply(b + "attn_q.weight", new long[] {embd, embd});
            random.apply(b + "attn_k.weight", new long[] {embd, kv});
            random.apply(b + "attn_v.weight", new long[] {embd, kv});
            random.apply(b + "attn_output.weight", new long[] {embd, embd});
            ones.apply(b + "ffn_norm.weight", new long[] {embd});
            random.apply(b + "ffn_gate.weight", new long[] {embd, ff});
            random.apply(b + "ffn_up.weight", new long[] {embd, ff});
            random.apply(b + "ffn_down.weight", new long[] {ff, embd});
        }
        ones.apply("output_norm.weight", new long[] {embd});
        random.apply("output.weight", new long[] {embd, vocab});
        try {
            Path parent = out.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            w.write(out);
        } catch (IOException e) {
            throw new KvbmException(ErrorCode.IO_ERROR, "cannot write GGUF model " + out + ": " + e.getMessage(), e);
        }
    }

    /** Uniform floats in [-scale, scale) from a generator of (seed, tensor index); filled in order. */
    private static final class Uniform implements GgufWriter.TensorData {
        private final long seed;
        private final int tensor;
        private final double scale;
        private SplittableRandom random;

        Uniform(long seed, int tensor, double scale) {
            this.seed = seed;
            this.tensor = tensor;
            this.scale = scale;
        }

        @Override
        public void fill(long first, FloatBuffer out) {
            if (first == 0) {
                random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + tensor);
            }
            while (out.hasRemaining()) {
                out.put((float) ((random.nextDouble() * 2 - 1) * scale));
            }
        }
    }
}
