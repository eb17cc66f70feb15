package dev.kvbm.core.offload;

/** What the manager's offloads did so far: skips by reason and failures, each a running count of blocks. */
public interface OffloadCounters {

    /** Offloads skipped because the target tier already held the block. */
    long skippedAlreadyPresent();

    /** Offloads skipped because the target tier had no free block. */
    long skippedTargetFull();

    /** Offloads skipped because the source block was evicted before it was copied. */
    long skippedSourceGone();

    /** Blocks whose copy failed. */
    long failedBlocks();

    /** Offloads the edge's admission filter turned away (a G2 block seen once is not written to disk). */
    long skippedFiltered();

    /** Offloads skipped because their target tier was degraded. */
    long skippedDegraded();

    /** Offloads skipped because the target's queue was full ({@link OffloadBackpressure#SKIP} mode). */
    long skippedTargetBusy();

    /** Every skip count and the failed blocks, by the names the replay report prints, in a stable order. */
    default java.util.Map<String, Long> skipCounts() {
        java.util.Map<String, Long> skips = new java.util.LinkedHashMap<>();
        skips.put("alreadyPresent", skippedAlreadyPresent());
        skips.put("targetFull", skippedTargetFull());
        skips.put("sourceGone", skippedSourceGone());
        skips.put("filtered", skippedFiltered());
        skips.put("tierDegraded", skippedDegraded());
        skips.put("targetBusy", skippedTargetBusy());
        skips.put("failed", failedBlocks());
        return skips;
    }
}
