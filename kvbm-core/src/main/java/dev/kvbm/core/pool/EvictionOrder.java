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

    /** Where block i's priority ({@code ints[(i << intShift) + priorityAt]}) and tick ({@code longs[...]}) lie. */
    private final int[] ints;
    private final int priorityAt;
    private final int intShift;
    private final long[] longs;
    private final int tickAt;
    private final int longShift;
    /**
     * Block i's links at [4i]: next, previous, and the level it is in (NIL when it is not a member); one array,
     * so a block's links share a cache line.
     */
    private final int[] links;
    private static final int NEXT = 0;
    private static final int PREV = 1;
    private static final int LEVEL = 2;
    // Levels sorted by ascending priority; an emptied level stays (pools use a handful of priorities).
    private int[] levelPriority = new int[2];
    private int[] head = new int[2];
    private int[] tail = new int[2];
    private int levels;
    private int size;

    /** Orders blocks {@code 0..priority.length-1} by the pool's own {@code priority} and {@code releaseTick}. */
    EvictionOrder(int[] priority, long[] releaseTick) {
        this(priority, 0, 0, releaseTick, 0, 0);
    }

    /** Orders blocks by a priority and a tick that lie in records of {@code 1 << shift} values (the pool's). */
    EvictionOrder(int[] ints, int priorityAt, int intShift, long[] longs, int tickAt, int longShift) {
        this.ints = ints;
        this.priorityAt = priorityAt;
        this.intShift = intShift;
        this.longs = longs;
        this.tickAt = tickAt;
        this.longShift = longShift;
        int n = ints.length >> intShift;
        links = new int[4 * n];
        for (int i = 0; i < n; i++) {
            links[4 * i + LEVEL] = NIL;
        }
    }

    private int priority(int id) {
        return ints[(id << intShift) + priorityAt];
    }

    private long tick(int id) {
        return longs[(id << longShift) + tickAt];
    }

    private int next(int id) {
        return links[4 * id + NEXT];
    }

    private int prev(int id) {
        return links[4 * id + PREV];
    }

    private int levelOf(int id) {
        return links[4 * id + LEVEL];
    }

    int size() {
        return size;
    }

    boolean contains(int id) {
        return levelOf(id) != NIL;
    }

    /** Adds {@code id} in its place; returns false when it is a member already. */
    boolean add(int id) {
        if (levelOf(id) != NIL) {
            return false;
        }
        int level = level(priority(id));
        links[4 * id + LEVEL] = level;
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
                link(level, t, id, next(t));
                return true;
            }
            t = prev(t);
            if (t == NIL) {
                link(level, NIL, id, head[level]);
                return true;
            }
            if (before(id, h)) {
                link(level, prev(h), id, h);
                return true;
            }
            h = next(h);
        }
    }

    /** Removes {@code id}; returns false when it was not a member. */
    boolean remove(int id) {
        int level = levelOf(id);
        if (level == NIL) {
            return false;
        }
        int p = prev(id);
        int n = next(id);
        if (p == NIL) {
            head[level] = n;
        } else {
            links[4 * p + NEXT] = n;
        }
        if (n == NIL) {
            tail[level] = p;
        } else {
            links[4 * n + PREV] = p;
        }
        links[4 * id + LEVEL] = NIL;
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
            for (int id = head[level]; id != NIL; id = next(id)) {
                out[k++] = id;
            }
        }
        return out;
    }

    /** Whether block {@code a} is evicted before block {@code b} (same priority). */
    private boolean before(int a, int b) {
        long ta = tick(a);
        long tb = tick(b);
        return ta < tb || (ta == tb && a < b);
    }

    private void link(int level, int p, int id, int n) {
        links[4 * id + PREV] = p;
        links[4 * id + NEXT] = n;
        if (p == NIL) {
            head[level] = id;
        } else {
            links[4 * p + NEXT] = id;
        }
        if (n == NIL) {
            tail[level] = id;
        } else {
            links[4 * n + PREV] = id;
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
            for (int i = LEVEL; i < links.length; i += 4) {
                if (links[i] >= lo) {
                    links[i]++;
                }
            }
        }
        return lo;
    }
}
