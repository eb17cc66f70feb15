package dev.kvbm.core.pool;

import java.util.Arrays;

/**
 * The pool's eviction candidates in eviction order: lowest priority first, then least recently released
 * ({@code releaseTick}), then lowest block id. An intrusive doubly-linked list per priority level (links
 * indexed by block id, no node objects), so taking the next victim is O(1) and so is adding a block released
 * just now (it goes at its level's tail). A block that comes back with an older tick (a pin released, a parent
 * whose last child left) is placed by walking from both ends at once, which finds its place in as many steps as
 * it lies from the nearer end. Not thread-safe (the pool's lock guards it); a member's priority and tick must
 * not change while it is a member.
 */
final class EvictionOrder {
    private static final int NIL = -1;

    private final int[] priority;
    private final long[] releaseTick;
    private final int[] next;
    private final int[] prev;
    /** The level a member is in, or NIL when the block is not a member. */
    private final int[] levelOf;
    // Levels sorted by ascending priority; an emptied level stays (pools use a handful of priorities).
    private int[] levelPriority = new int[2];
    private int[] head = new int[2];
    private int[] tail = new int[2];
    private int levels;
    private int size;

    /** Orders blocks {@code 0..priority.length-1} by the pool's own {@code priority} and {@code releaseTick}. */
    EvictionOrder(int[] priority, long[] releaseTick) {
        this.priority = priority;
        this.releaseTick = releaseTick;
        int n = priority.length;
        next = new int[n];
        prev = new int[n];
        levelOf = new int[n];
        Arrays.fill(levelOf, NIL);
    }

    int size() {
        return size;
    }

    boolean contains(int id) {
        return levelOf[id] != NIL;
    }

    /** Adds {@code id} in its place; returns false when it is a member already. */
    boolean add(int id) {
        if (levelOf[id] != NIL) {
            return false;
        }
        int level = level(priority[id]);
        levelOf[id] = level;
        size++;
        int h = head[level];
        int t = tail[level];
        if (t == NIL) {
            link(level, NIL, id, NIL);
            return true;
        }
        // t walks back from the tail to the last member before id; h walks on from the head to the first after.
        while (true) {
            if (before(t, id)) {
                link(level, t, id, next[t]);
                return true;
            }
            t = prev[t];
            if (t == NIL) {
                link(level, NIL, id, head[level]);
                return true;
            }
            if (before(id, h)) {
                link(level, prev[h], id, h);
                return true;
            }
            h = next[h];
        }
    }

    /** Removes {@code id}; returns false when it was not a member. */
    boolean remove(int id) {
        int level = levelOf[id];
        if (level == NIL) {
            return false;
        }
        int p = prev[id];
        int n = next[id];
        if (p == NIL) {
            head[level] = n;
        } else {
            next[p] = n;
        }
        if (n == NIL) {
            tail[level] = p;
        } else {
            prev[n] = p;
        }
        levelOf[id] = NIL;
        size--;
        return true;
    }

    /** Removes and returns the next victim, or -1 when there is none. */
    int pollFirst() {
        for (int level = 0; level < levels; level++) {
            int id = head[level];
            if (id != NIL) {
                remove(id);
                return id;
            }
        }
        return NIL;
    }

    /** The members in eviction order (tests and invariant checks). */
    int[] toArray() {
        int[] out = new int[size];
        int k = 0;
        for (int level = 0; level < levels; level++) {
            for (int id = head[level]; id != NIL; id = next[id]) {
                out[k++] = id;
            }
        }
        return out;
    }

    /** Whether block {@code a} is evicted before block {@code b} (same priority). */
    private boolean before(int a, int b) {
        long ta = releaseTick[a];
        long tb = releaseTick[b];
        return ta < tb || (ta == tb && a < b);
    }

    private void link(int level, int p, int id, int n) {
        prev[id] = p;
        next[id] = n;
        if (p == NIL) {
            head[level] = id;
        } else {
            next[p] = id;
        }
        if (n == NIL) {
            tail[level] = id;
        } else {
            prev[n] = id;
        }
    }

    /** The level of {@code p}, made (keeping levels sorted) when new. */
    private int level(int p) {
        int lo = 0;
        int hi = levels - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int v = levelPriority[mid];
            if (v < p) {
                lo = mid + 1;
            } else if (v > p) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        if (levels == levelPriority.length) {
            levelPriority = Arrays.copyOf(levelPriority, levels * 2);
            head = Arrays.copyOf(head, levels * 2);
            tail = Arrays.copyOf(tail, levels * 2);
        }
        // Insert at lo; members of the levels after it move up one level index.
        System.arraycopy(levelPriority, lo, levelPriority, lo + 1, levels - lo);
        System.arraycopy(head, lo, head, lo + 1, levels - lo);
        System.arraycopy(tail, lo, tail, lo + 1, levels - lo);
        levelPriority[lo] = p;
        head[lo] = NIL;
        tail[lo] = NIL;
        levels++;
        if (lo < levels - 1) {
            for (int id = 0; id < levelOf.length; id++) {
                if (levelOf[id] >= lo) {
                    levelOf[id]++;
                }
            }
        }
        return lo;
    }
}
