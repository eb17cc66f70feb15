package dev.kvbm.core.manager;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.Tier;
import dev.kvbm.core.pool.ImmutableBlock;
import dev.kvbm.core.pool.MutableBlock;
import java.util.OptionalLong;

/**
 * A request's blocks in G1, position by position: the cached prefix (hits in G1, or onboarded from G2
 * or G3) and the blocks the engine must compute. Compute into {@link #g1BlockId} of every
 * {@link #isFresh} position, then {@link KvBlockManager#commit}; close to release everything, in hash
 * order, which is also the order the blocks become least recently used.
 *
 * <p>A request may be prepared, committed and closed on different threads (a serving session hands it
 * on): its state is guarded by its monitor, so a close racing a commit releases every block once.
 */
public final class PreparedRequest implements AutoCloseable {
    private final long[] hashes;
    private final AutoCloseable[] slots;
    /** Hits per tier, by ordinal: counted on the request's thread without boxing. */
    private final int[] hits = new int[Tier.values().length];
    private int checksumFailures;
    private long copyNanos;
    private boolean committed;
    private boolean closed;
    /** The prompt's token ids when the request was prepared from them (KV events carry them), else null. */
    private int[] tokens;

    PreparedRequest(long[] hashes) {
        this.hashes = hashes.clone();
        this.slots = new AutoCloseable[hashes.length];
    }

    void tokens(int[] promptTokens) {
        this.tokens = promptTokens;
    }

    /** The token ids of the block at {@code position}, or null when unknown (prepared from hashes alone). */
    int[] blockTokens(int position, int blockSize) {
        long end = (position + 1L) * blockSize;
        return tokens == null || end > tokens.length ? null
                : java.util.Arrays.copyOfRange(tokens, position * blockSize, (int) end);
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
    public synchronized int hits(Tier tier) {
        return hits[tier.ordinal()];
    }

    /** The cached prefix length: hits in every tier. */
    public synchronized int cachedPrefix() {
        int sum = 0;
        for (int n : hits) {
            sum += n;
        }
        return sum;
    }

    /** Blocks whose onboarded bytes failed their checksum (served as misses). */
    public synchronized int checksumFailures() {
        return checksumFailures;
    }

    /** Time spent waiting for onboarding copies. */
    public synchronized long copyNanos() {
        return copyNanos;
    }

    /** Whether the block at {@code position} must be computed by the engine. */
    public synchronized boolean isFresh(int position) {
        return slots[position] instanceof MutableBlock;
    }

    /** The G1 block that holds (or will hold) {@code position}. */
    public synchronized int g1BlockId(int position) {
        return switch (slots[position]) {
            case MutableBlock m -> m.blockId();
            case ImmutableBlock b -> b.blockId();
            default -> throw new KvbmException(ErrorCode.INVALID_STATE, "position " + position + " has no block");
        };
    }

    synchronized boolean isClosed() {
        return closed;
    }

    synchronized boolean committed() {
        return committed;
    }

    synchronized void markCommitted() {
        committed = true;
    }

    synchronized AutoCloseable slot(int position) {
        return slots[position];
    }

    synchronized void set(int position, AutoCloseable block) {
        slots[position] = block;
    }

    synchronized void addHits(Tier tier, int n) {
        hits[tier.ordinal()] += n;
    }

    synchronized void addChecksumFailure() {
        checksumFailures++;
    }

    synchronized void addCopyNanos(long nanos) {
        copyNanos += nanos;
    }

    /** Releases every block in hash order. Idempotent. */
    @Override
    public synchronized void close() {
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
