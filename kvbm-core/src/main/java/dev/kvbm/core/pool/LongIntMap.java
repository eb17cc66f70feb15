package dev.kvbm.core.pool;

/**
 * An open-addressing map from {@code long} keys to non-negative {@code int} values, with linear probing and
 * backward-shift deletion (no tombstones, so probes stay short however often keys come and go): the block
 * pool's registry and child counts without a boxed {@code Long} and {@code Integer} per entry. Not
 * thread-safe (the pool's lock guards it).
 */
final class LongIntMap {
    /** What {@link #get} returns for an absent key. */
    static final int MISSING = -1;
    private static final long FREE = -1;

    /** Slot i's key at [2i] and value at [2i + 1] (FREE: empty): one cache line holds both. */
    private long[] table;
    private int mask;
    /** 64 - log2(slots): the multiplied key's top bits are its home slot. */
    private int shift;
    private int size;

    /** Room for {@code expected} entries without growing. */
    LongIntMap(int expected) {
        // Load factor at most 1/4: at 1/2 a removal's backward shift and an insert's probe each run over about two
        // more slots, with a mispredicted loop exit apiece, and those were most of a pool operation's time.
        int capacity = Integer.highestOneBit(Math.max(4, expected) * 4 - 1) << 1;
        allocate(capacity);
    }

    private void allocate(int capacity) {
        table = new long[2 * capacity];
        for (int i = 1; i < table.length; i += 2) {
            table[i] = FREE;
        }
        mask = capacity - 1;
        shift = 64 - Integer.numberOfTrailingZeros(capacity);
    }

    int size() {
        return size;
    }

    /** The value of {@code key}, or {@link #MISSING}. */
    int get(long key) {
        int i = find(key);
        return i < 0 ? MISSING : (int) table[2 * i + 1];
    }

    boolean containsKey(long key) {
        return find(key) >= 0;
    }

    /** Maps {@code key} to {@code value} (>= 0); returns the previous value or {@link #MISSING}. */
    int put(long key, int value) {
        if (value < 0) {
            throw new IllegalArgumentException("values are >= 0, got " + value);
        }
        int i = slot(key);
        for (; table[2 * i + 1] != FREE; i = (i + 1) & mask) {
            if (table[2 * i] == key) {
                int old = (int) table[2 * i + 1];
                table[2 * i + 1] = value;
                return old;
            }
        }
        table[2 * i] = key;
        table[2 * i + 1] = value;
        if (++size * 8 > table.length) { // more than a quarter of the slots (two longs per slot)
            grow();
        }
        return MISSING;
    }

    /**
     * Maps {@code key} to {@code value} (>= 0) unless it is mapped already; returns the value it had, or
     * {@link #MISSING} when it was put: a lookup and an insert in one probe.
     */
    int putIfAbsent(long key, int value) {
        if (value < 0) {
            throw new IllegalArgumentException("values are >= 0, got " + value);
        }
        int i = slot(key);
        for (; table[2 * i + 1] != FREE; i = (i + 1) & mask) {
            if (table[2 * i] == key) {
                return (int) table[2 * i + 1];
            }
        }
        table[2 * i] = key;
        table[2 * i + 1] = value;
        if (++size * 8 > table.length) { // more than a quarter of the slots (two longs per slot)
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
        int sum = (i < 0 ? 0 : (int) table[2 * i + 1]) + delta;
        if (sum <= 0) {
            if (i >= 0) {
                removeAt(i);
            }
        } else if (i >= 0) {
            table[2 * i + 1] = sum;
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
        int old = (int) table[2 * i + 1];
        removeAt(i);
        return old;
    }

    /** Removes {@code key} only while it maps to {@code value}; returns whether it did. */
    boolean remove(long key, int value) {
        int i = find(key);
        if (i < 0 || table[2 * i + 1] != value) {
            return false;
        }
        removeAt(i);
        return true;
    }

    void clear() {
        for (int i = 1; i < table.length; i += 2) {
            table[i] = FREE;
        }
        size = 0;
    }

    /** Every value, in no particular order. */
    int[] values() {
        int[] out = new int[size];
        int n = 0;
        for (int i = 1; i < table.length; i += 2) {
            if (table[i] != FREE) {
                out[n++] = (int) table[i];
            }
        }
        return out;
    }

    /** Told of each entry by {@link #forEach}. */
    interface EntryConsumer {
        void accept(long key, int value);
    }

    void forEach(EntryConsumer consumer) {
        for (int i = 0; i < table.length; i += 2) {
            if (table[i + 1] != FREE) {
                consumer.accept(table[i], (int) table[i + 1]);
            }
        }
    }

    /** The slot of {@code key}, or -1. */
    private int find(long key) {
        if (size == 0) {
            return -1; // an empty map (the pool's orphan counts, mostly) answers without a probe
        }
        for (int i = slot(key); ; i = (i + 1) & mask) {
            if (table[2 * i + 1] == FREE) {
                return -1;
            }
            if (table[2 * i] == key) {
                return i;
            }
        }
    }

    /** Empties slot {@code i} and shifts back the entries after it whose probe passed through it. */
    private void removeAt(int i) {
        size--;
        int hole = i;
        for (int j = (i + 1) & mask; table[2 * j + 1] != FREE; j = (j + 1) & mask) {
            // j's entry may fill the hole unless its home lies cyclically in (hole, j]: unless it is nearer to j
            // than the hole is (one comparison of distances, where three of positions mispredicted).
            if (((j - slot(table[2 * j])) & mask) >= ((j - hole) & mask)) {
                table[2 * hole] = table[2 * j];
                table[2 * hole + 1] = table[2 * j + 1];
                hole = j;
            }
        }
        table[2 * hole + 1] = FREE;
    }

    private void grow() {
        long[] old = table;
        allocate(old.length); // twice the slots: the table holds two longs per slot
        size = 0;
        for (int i = 0; i < old.length; i += 2) {
            if (old[i + 1] != FREE) {
                put(old[i], (int) old[i + 1]);
            }
        }
    }

    private int slot(long key) {
        // Fibonacci hashing (the top bits of key * 2^64/phi): one multiply, and trace ids, which are small
        // consecutive numbers, land about 0.618 of the table apart instead of sharing a probe run.
        return (int) ((key * 0x9E3779B97F4A7C15L) >>> shift);
    }
}
