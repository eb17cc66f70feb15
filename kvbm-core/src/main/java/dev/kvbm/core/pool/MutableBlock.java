package dev.kvbm.core.pool;

import java.util.OptionalLong;

/**
 * A block handed out by {@link BlockPool#allocate}: owned by one caller, which fills it and then
 * registers it (the handle is consumed) or closes it (the block goes back reset). Not thread-safe.
 */
public final class MutableBlock implements AutoCloseable {
    private final BlockPool pool;
    private final int blockId;
    private BlockState state = BlockState.RESET;
    private long sequenceHash;
    private OptionalLong parentSequenceHash = OptionalLong.empty();
    private int priority;
    private boolean consumed;

    MutableBlock(BlockPool pool, int blockId) {
        this.pool = pool;
        this.blockId = blockId;
    }

    public BlockPool pool() {
        return pool;
    }

    /** The block's index in its tier's layout. */
    public int blockId() {
        return blockId;
    }

    public BlockState state() {
        return state;
    }

    /** Reset -> Partial: the engine starts filling the block. */
    public MutableBlock beginFill() {
        requireState(BlockState.RESET, "beginFill");
        state = BlockState.PARTIAL;
        return this;
    }

    /**
     * Partial (or Reset, for a block filled in one step such as a copy) -> Complete: the block's tokens
     * are all there and hash to {@code sequenceHash}; {@code parent} is the previous block's hash.
     */
    public MutableBlock complete(long sequenceHash, OptionalLong parent) {
        if (state != BlockState.RESET && state != BlockState.PARTIAL) {
            throw BlockPool.invalidState("complete", blockId, state);
        }
        checkOpen("complete");
        this.sequenceHash = sequenceHash;
        this.parentSequenceHash = parent;
        this.state = BlockState.COMPLETE;
        return this;
    }

    /** Eviction priority once registered: lower is evicted first (default 0). */
    public MutableBlock priority(int value) {
        this.priority = value;
        return this;
    }

    public int priority() {
        return priority;
    }

    public long sequenceHash() {
        requireState(BlockState.COMPLETE, "sequenceHash");
        return sequenceHash;
    }

    public OptionalLong parentSequenceHash() {
        return parentSequenceHash;
    }

    boolean consumed() {
        return consumed;
    }

    void consume() {
        consumed = true;
    }

    private void requireState(BlockState expected, String op) {
        checkOpen(op);
        if (state != expected) {
            throw BlockPool.invalidState(op, blockId, state);
        }
    }

    private void checkOpen(String op) {
        if (consumed) {
            throw BlockPool.invalidState(op + " on a registered or closed handle", blockId, state);
        }
    }

    /** Gives an unregistered block back to the pool, reset. No-op once registered or closed. */
    @Override
    public void close() {
        if (!consumed) {
            pool.returnUnregistered(this);
        }
    }

    @Override
    public String toString() {
        return "MutableBlock[" + pool.name() + "#" + blockId + ", " + state + "]";
    }
}
