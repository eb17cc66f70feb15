package dev.kvbm.core.pool;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One reference to a registered block. While any reference is open the block is active and cannot be
 * evicted; closing the last one makes it inactive (reusable by hash, evictable). Closing is idempotent.
 */
public final class ImmutableBlock implements AutoCloseable {
    private final BlockPool pool;
    private final int blockId;
    private final long sequenceHash;
    private final boolean preservesRecency;
    /**
     * Set once, under the pool's lock (which makes the claim: no atomic of its own); read there plainly and
     * elsewhere with acquire semantics.
     */
    private static final VarHandle CLOSED;

    static {
        try {
            CLOSED = MethodHandles.lookup().findVarHandle(ImmutableBlock.class, "closed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // through CLOSED
    private boolean closed;

    ImmutableBlock(BlockPool pool, int blockId, long sequenceHash) {
        this(pool, blockId, sequenceHash, false);
    }

    ImmutableBlock(BlockPool pool, int blockId, long sequenceHash, boolean preservesRecency) {
        this.pool = pool;
        this.blockId = blockId;
        this.sequenceHash = sequenceHash;
        this.preservesRecency = preservesRecency;
    }

    /** True for a {@link BlockPool#pin pin}: releasing it does not make the block more recently used. */
    public boolean preservesRecency() {
        return preservesRecency;
    }

    public BlockPool pool() {
        return pool;
    }

    public int blockId() {
        return blockId;
    }

    public long sequenceHash() {
        return sequenceHash;
    }

    /** Another reference to the same block, closed independently. */
    public ImmutableBlock share() {
        return pool.share(this);
    }

    public boolean isClosed() {
        return (boolean) CLOSED.getAcquire(this);
    }

    /** Closing twice, or from two threads at once, releases the block once. */
    @Override
    public void close() {
        if (!isClosed()) { // a closed handle does not take the pool's lock again
            pool.release(this);
        }
    }

    /** Whether it was closed; the pool's lock held. */
    boolean closedUnderLock() {
        return closed;
    }

    /** The pool's lock held: release stores, so {@link #isClosed} elsewhere sees it once it is done. */
    void markClosed() {
        CLOSED.setRelease(this, true);
    }

    @Override
    public String toString() {
        return "ImmutableBlock[" + pool.name() + "#" + blockId + ", " + Long.toUnsignedString(sequenceHash) + "]";
    }
}
