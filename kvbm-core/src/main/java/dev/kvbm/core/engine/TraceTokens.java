package dev.kvbm.core.engine;

import dev.kvbm.api.KvbmException;
import java.util.SplittableRandom;

/**
 * Turns a trace's block ids into token ids: each id stands for {@code tokensPerId} tokens drawn from a
 * generator seeded by the id, so the same id always gives the same tokens and different ids give
 * different ones. A prompt is its ids' tokens one after the other.
 */
public final class TraceTokens {
    private final int tokensPerId;
    private final int vocab;

    /**
     * @param tokensPerId tokens per trace block id, 1..65,536 (the Mooncake traces use 512)
     * @param vocab       token ids are drawn from {@code [0, vocab)}
     */
    public TraceTokens(int tokensPerId, int vocab) {
        if (tokensPerId < 1 || tokensPerId > 65_536) {
            throw KvbmException.invalid("traceBlockTokens", tokensPerId, "in 1..65536");
        }
        if (vocab < 2) {
            throw KvbmException.invalid("vocab", vocab, ">= 2");
        }
        this.tokensPerId = tokensPerId;
        this.vocab = vocab;
    }

    public int tokensPerId() {
        return tokensPerId;
    }

    /** The prompt of a request whose blocks are {@code hashIds}. */
    public int[] prompt(long[] hashIds) {
        int[] tokens = new int[Math.multiplyExact(hashIds.length, tokensPerId)];
        for (int b = 0; b < hashIds.length; b++) {
            // The golden-ratio multiplier spreads consecutive ids over the generator's seed space.
            SplittableRandom random = new SplittableRandom(hashIds[b] * 0x9E3779B97F4A7C15L);
            for (int t = 0; t < tokensPerId; t++) {
                tokens[b * tokensPerId + t] = random.nextInt(vocab);
            }
        }
        return tokens;
    }
}
