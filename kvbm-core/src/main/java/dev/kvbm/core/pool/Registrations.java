package dev.kvbm.core.pool;

import java.util.OptionalLong;

/**
 * The blocks one {@link BlockPool#register} call made matchable, in registration order, in two primitive
 * arrays (three objects per call, not several per block): what {@link BlockPool.Listener#registered(BlockPool, Registrations)}
 * is told, so a listener can take a whole request's blocks at once.
 */
public final class Registrations {
    /** Entry i: hash at [2i], parent hash at [2i + 1]. */
    private final long[] hashes;
    /** Entry i: block id at [3i], priority at [3i + 1], 1 when it has a parent at [3i + 2]. */
    private final int[] ints;
    private int size;

    Registrations(int capacity) {
        hashes = new long[2 * capacity];
        ints = new int[3 * capacity];
    }

    void add(int blockId, long sequenceHash, OptionalLong parent, int priority) {
        hashes[2 * size] = sequenceHash;
        hashes[2 * size + 1] = parent.orElse(0);
        ints[3 * size] = blockId;
        ints[3 * size + 1] = priority;
        ints[3 * size + 2] = parent.isPresent() ? 1 : 0;
        size++;
    }

    public int size() {
        return size;
    }

    public int blockId(int i) {
        check(i);
        return ints[3 * i];
    }

    public long sequenceHash(int i) {
        check(i);
        return hashes[2 * i];
    }

    public OptionalLong parent(int i) {
        check(i);
        return ints[3 * i + 2] == 1 ? OptionalLong.of(hashes[2 * i + 1]) : OptionalLong.empty();
    }

    public int priority(int i) {
        check(i);
        return ints[3 * i + 1];
    }

    private void check(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("registration " + i + " of " + size);
        }
    }
}
