package dev.kvbm.core.manager;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.Tier;
import dev.kvbm.core.pool.ImmutableBlock;
import dev.kvbm.core.pool.MutableBlock;
import java.util.EnumMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * A request's blocks in G1, position by position: the cached prefix (hits in G1, or onboarded from G2
 * or G3) and the blocks the engine must compute. Compute into {@link #g1BlockId} of every
 * {@link #isFresh} position, then {@link KvBlockManager#commit}; close to release everything, in hash
 * order, which is also the order the blocks become least recently used.
 */
public final class PreparedRequest implements AutoCloseable {
    private final long[] hashes;
    private final AutoCloseable[] slots;
    private final Map<Tier, Integer> hits = new EnumMap<>(Tier.class);
    private int checksumFailures;
    private long copyNanos;
    private boolean committed;
    private boolean closed;

    PreparedRequest(long[] hashes) {
        this.hashes = hashes.clone();
        this.slots = new AutoCloseable[hashes.length];
    }

    public int length() {
        return hashes.length;
    }

    public long sequenceHash(int position) {
        return hashes[position];
    }

    /** The parent of the block at {@code position}: the previous block's hash, none for the first. */
    public OptionalLong parent(int position) {
        return position == 0 ? OptionalLong.empty() : OptionalLong.of(hashes[position - 1]);
    }

    /** Blocks found in {@code tier}: G1 hits, or blocks onboarded from G2 or G3. */
    public int hits(Tier tier) {
        return hits.getOrDefault(tier, 0);
    }

    /** The cached prefix length: hits in every tier. */
    public int cachedPrefix() {
        return hits.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** Blocks whose onboarded bytes failed their checksum (served as misses). */
    public int checksumFailures() {
        return checksumFailures;
    }

    /** Time spent waiting for onboarding copies. */
    public long copyNanos() {
        return copyNanos;
    }

    /** Whether the block at {@code position} must be computed by the engine. */
    public boolean isFresh(int position) {
        return slots[position] instanceof MutableBlock;
    }

    /** The G1 block that holds (or will hold) {@code position}. */
    public int g1BlockId(int position) {
        return switch (slots[position]) {
            case MutableBlock m -> m.blockId();
            case ImmutableBlock b -> b.blockId();
            default -> throw new KvbmException(ErrorCode.INVALID_STATE, "position " + position + " has no block");
        };
    }

    boolean committed() {
        return committed;
    }

    void markCommitted() {
        committed = true;
    }

    AutoCloseable slot(int position) {
        return slots[position];
    }

    void set(int position, AutoCloseable block) {
        slots[position] = block;
    }

    void addHits(Tier tier, int n) {
        hits.merge(tier, n, Integer::sum);
    }

    void addChecksumFailure() {
        checksumFailures++;
    }

    void addCopyNanos(long nanos) {
        copyNanos += nanos;
    }

    /** Releases every block in hash order. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (AutoCloseable slot : slots) {
            if (slot != null) {
                try {
                    slot.close();
                } catch (Exception e) {
                    throw new KvbmException(ErrorCode.INVALID_STATE, "releasing a block failed", e);
                }
            }
        }
    }
}
