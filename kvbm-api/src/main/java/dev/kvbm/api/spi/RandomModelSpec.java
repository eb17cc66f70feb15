package dev.kvbm.api.spi;

import dev.kvbm.api.KvbmException;

/**
 * A randomly initialised Llama-architecture model, the same for a given seed: for KV-reuse tests and
 * timing where no real weights can be had. Its outputs are meaningless; its attention and KV are real.
 *
 * @param layers  transformer blocks, 1..256
 * @param hidden  embedding width, divisible by {@code heads}
 * @param heads   attention heads, 1..1024
 * @param kvHeads KV heads (grouped-query attention), dividing {@code heads}
 * @param ffn     feed-forward width, 1..1,048,576
 * @param vocab   vocabulary size (token ids go straight in), 2..1,048,576
 * @param context longest sequence, 1..1,048,576 tokens
 * @param seed    seed of the weights
 */
public record RandomModelSpec(int layers, int hidden, int heads, int kvHeads, int ffn, int vocab, int context,
                              long seed) {

    /** The default tiny model: 4 layers, hidden 256, 8 heads, 4 KV heads, FFN 1024, vocab 512, context 4096. */
    public static final RandomModelSpec TINY = new RandomModelSpec(4, 256, 8, 4, 1024, 512, 4096, 42);

    public RandomModelSpec {
        range("layers", layers, 1, 256);
        range("heads", heads, 1, 1024);
        range("hidden", hidden, 1, 1 << 16);
        if (hidden % heads != 0) {
            throw KvbmException.invalid("hidden", hidden, "a multiple of heads (" + heads + ")");
        }
        range("kvHeads", kvHeads, 1, heads);
        if (heads % kvHeads != 0) {
            throw KvbmException.invalid("kvHeads", kvHeads, "a divisor of heads (" + heads + ")");
        }
        if ((hidden / heads) % 2 != 0) {
            throw KvbmException.invalid("hidden", hidden, "such that hidden / heads (the head dim) is even, for RoPE");
        }
        range("ffn", ffn, 1, 1 << 20);
        range("vocab", vocab, 2, 1 << 20);
        range("context", context, 1, 1 << 20);
    }

    /** Elements per head. */
    public int headDim() {
        return hidden / heads;
    }

    private static void range(String field, int value, int min, int max) {
        if (value < min || value > max) {
            throw KvbmException.invalid(field, value, "in " + min + ".." + max);
        }
    }
}
