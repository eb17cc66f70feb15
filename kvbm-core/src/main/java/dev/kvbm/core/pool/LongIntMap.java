package dev.kvbm.core.pool;

import java.util.Arrays;

/**
 * An open-addressing map from {@code long} keys to non-negative {@code int} values, with linear probing and
 * backward-shift deletion (no tombstones, so probes stay short however often keys come and go): the block
 * pool's registry and child counts without a boxed {@code Long} and {@code Integer} per entry. Not
 * thread-safe (the pool's lock guards it).
 */
final class LongIntMap {
    /** What {@link #get} returns for an absent key. */
    static final int MISSING = -1;
    private static final int FREE = -1;

    private long[] keys;
    private int[] values; // FREE marks an empty slot
    private int mask;
    private int size;

    /** Room for {@code expected} entries without growing. */
    LongIntMap(int expected) {
        int capacity = Integer.highestOneBit(Math.max(4, expected) * 2 - 1) << 1; // load factor at most 1/2
        allocate(capacity);
    }

    private void allocate(int capacity) {
        keys = new long[capacity];
        values = new int[capacity];
        Arrays.fill(values, FREE);
        mask = capacity - 1;
    }

    int size() {
        return size;
    }

    /** The value of {@code key}, or {@link #MISSING}. */
    int get(long key) {
        for (int i = slot(key); ; i = (i + 1) & mask) {
            int v = values[i];
            if (v == FREE) {
                return MISSING;
            }
            if (keys[i] == key) {
                return v;
            }
        }
    }

    boolean containsKey(long key) {
        return get(key) != MISSING;
    }

    /** Maps {@code key} to {@code value} (>= 0); returns the previous value or {@link #MISSING}. */
    int put(long key, int value) {
        if (value < 0) {
            throw new IllegalArgumentException("values are >= 0, got " + value);
        }
        int i = slot(key);
        for (; values[i] != FREE; i = (i + 1) & mask) {
            if (keys[i] == key) {
                int old = values[i];
                values[i] = value;
                return old;
            }
        }
        keys[i] = key;
        values[i] = value;
        if (++size * 2 > values.length) {
            grow();
        }
        return MISSING;
    }

    /**
     * Adds {@code delta} to the value of {@code key} (0 when absent) and returns the sum; a sum of 0 or less
     * removes the key (a count that reached zero).
     */
    int add(long key, int delta) {
        int i = find(key);
        int sum = (i < 0 ? 0 : values[i]) + delta;
        if (sum <= 0) {
            if (i >= 0) {
                removeAt(i);
            }
        } else if (i >= 0) {
            values[i] = sum;
        } else {
            put(key, sum);
        }
        return sum;
    }

    /** Removes {@code key}; returns its value or {@link #MISSING}. */
    int remove(long key) {
        int i = find(key);
        if (i < 0) {
            return MISSING;
        }
        int old = values[i];
        removeAt(i);
        return old;
    }

    /** Removes {@code key} only while it maps to {@code value}; returns whether it did. */
    boolean remove(long key, int value) {
        int i = find(key);
        if (i < 0 || values[i] != value) {
            return false;
        }
        removeAt(i);
        return true;
    }

    void clear() {
        Arrays.fill(values, FREE);
        size = 0;
    }

    /** Every value, in no particular order. */
    int[] values() {
        int[] out = new int[size];
        int n = 0;
        for (int v : values) {
            if (v != FREE) {
                out[n++] = v;
            }
        }
        return out;
    }

    /** Told of each entry by {@link #forEach}. */
    interface EntryConsumer {
        void accept(long key, int value);
    }

    void forEach(EntryConsumer consumer) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] != FREE) {
                consumer.accept(keys[i], values[i]);
            }
        }
    }

    private int find(long key) {
        for (int i = slot(key); ; i = (i + 1) & mask) {
            if (values[i] == FREE) {
                return -1;
            }
            if (keys[i] == key) {
                return i;
            }
        }
    }

    /** Empties slot {@code i} and shifts back the entries after it whose probe passed through it. */
    private void removeAt(int i) {
        size--;
        int hole = i;
        for (int j = (i + 1) & mask; values[j] != FREE; j = (j + 1) & mask) {
            int home = slot(keys[j]);
            // j's entry may fill the hole unless its home lies cyclically in (hole, j].
            boolean homeBetween = hole <= j ? hole < home && home <= j : hole < home || home <= j;
            if (!homeBetween) {
                keys[hole] = keys[j];
                values[hole] = values[j];
                hole = j;
            }
        }
        values[hole] = FREE;
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldValues = values;
        allocate(values.length * 2);
        size = 0;
        for (int i = 0; i < oldValues.length; i++) {
            if (oldValues[i] != FREE) {
                put(oldKeys[i], oldValues[i]);
            }
        }
    }

    private int slot(long key) {
        // Stafford's mix13: trace ids are small consecutive numbers, and those must not share probe runs.
        long z = (key ^ (key >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return (int) (z ^ (z >>> 31)) & mask;
    }
}
