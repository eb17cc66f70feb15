package dev.kvbm.core.pool;

/**
 * A consistent snapshot of a pool. {@code free + inactive + active + inFlight == total} always holds.
 *
 * @param total      blocks in the pool
 * @param free       reset blocks, handed out first
 * @param inactive   registered blocks nobody holds: reusable by hash, evictable
 * @param active     registered blocks somebody holds
 * @param inFlight   allocated blocks not registered yet (being filled or copied)
 * @param registered distinct sequence hashes registered (= inactive + active)
 * @param evictions  registered blocks reset to make room, since the pool was made
 */
public record PoolStatus(int total, int free, int inactive, int active, int inFlight, int registered, long evictions) {

    /** Blocks an allocation can take now: free plus inactive. */
    public int available() {
        return free + inactive;
    }
}
