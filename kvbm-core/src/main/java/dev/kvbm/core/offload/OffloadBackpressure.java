package dev.kvbm.core.offload;

/** What a registration does when the offload lane it feeds has no room left in its queue. */
public enum OffloadBackpressure {
    /**
     * The registering thread waits for room: every block still reaches every tier (a deterministic
     * replay needs this; its hit counts do not depend on how fast the copies are).
     */
    WAIT,
    /**
     * The offload is skipped and counted as {@code targetBusy}: a serving thread never waits for a slow
     * lower tier (the block stays in the tiers it already reached).
     */
    SKIP
}
