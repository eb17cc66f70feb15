package dev.kvbm.core.pool;

import java.util.OptionalLong;

/**
 * The blocks one {@link BlockPool#register} call made matchable, in registration order, in primitive arrays
 * (one object per call, not one per block): what {@link BlockPool.Listener#registered(BlockPool, Registrations)}
 * is told, so a listener can take a whole request's blocks at once.
 */
public final class Registrations {
    private final int[] blockIds;
    private final long[] hashes;
    private final long[] parents;
    private final boolean[] hasParent;
    private final int[] priorities;
    private int size;

    Registrations(int capacity) {
        blockIds = new int[capacity];
        hashes = new long[capacity];
        parents = new long[capacity];
        hasParent = new boolean[capacity];
        priorities = new int[capacity];
    }

    void add(int blockId, long sequenceHash, OptionalLong parent, int priority) {
        blockIds[size] = blockId;
        hashes[size] = sequenceHash;
        hasParent[size] = parent.isPresent();
        parents[size] = parent.orElse(0);
        priorities[size] = priority;
        size++;
    }

    public int size() {
        return size;
    }

    public int blockId(int i) {
        check(i);
        return blockIds[i];
    }

    public long sequenceHash(int i) {
        check(i);
        return hashes[i];
    }

    public OptionalLong parent(int i) {
        check(i);
        return hasParent[i] ? OptionalLong.of(parents[i]) : OptionalLong.empty();
    }

    public int priority(int i) {
        check(i);
        return priorities[i];
    }

    private void check(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("registration " + i + " of " + size);
        }
    }
}
