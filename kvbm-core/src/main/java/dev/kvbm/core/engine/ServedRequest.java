package dev.kvbm.core.engine;

import dev.kvbm.api.Tier;
import java.util.Map;

/**
 * What one request served through a {@link ServingSession} did.
 *
 * @param logits           the engine's logits at the prompt's last position
 * @param promptTokens     tokens in the prompt
 * @param blocks           full blocks (kvbm pages) in the prompt
 * @param reusedBlocks     blocks restored from kvbm instead of computed (at most {@code blocks - 1} when
 *                         the prompt is a whole number of blocks: at least one token is computed)
 * @param hits             reused blocks by the tier they came from (G1 hits, or onboarded from G2/G3)
 * @param savedBlocks      freshly computed full blocks written into G1 and committed
 * @param checksumFailures onboarded blocks whose bytes failed their checksum (recomputed instead)
 * @param onboardNanos     copying G2/G3 hits into G1
 * @param loadNanos        handing the reused G1 blocks to the engine
 * @param prefillNanos     the engine computing the rest of the prompt
 * @param saveNanos        copying fresh blocks from the engine into G1 and committing them
 * @param firstTokenNanos  from the start of the request until the logits were there (time to first token)
 */
public record ServedRequest(float[] logits, int promptTokens, int blocks, int reusedBlocks, Map<Tier, Integer> hits,
                            int savedBlocks, int checksumFailures, long onboardNanos, long loadNanos,
                            long prefillNanos, long saveNanos, long firstTokenNanos) {

    public ServedRequest {
        hits = Map.copyOf(hits);
    }

    /** Reused tokens: the engine did not compute them. */
    public int reusedTokens(int pageSize) {
        return reusedBlocks * pageSize;
    }
}
