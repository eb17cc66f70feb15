package dev.kvbm.core.pool;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.Tier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;

/**
 * The blocks of one tier, by id, with Dynamo's semantics: a registry by sequence hash (one primary
 * block per hash), active blocks (somebody holds a reference) and inactive ones (registered, unheld,
 * reusable by hash, evictable).
 *
 * <p>Allocation takes reset blocks first, then evicts the inactive registered block of lowest priority
 * that was released longest ago. Eviction is strictly leaf-first: a block whose child is registered in
 * this pool is not evicted before that child, so a cached prefix never loses its head while its tail
 * is kept (Dynamo gets this only from the order in which handles are dropped).
 *
 * <p>The pool is logical: it hands out block ids and knows nothing of bytes, so the same class serves a
 * worker's physical tiers and a leader's logical ones. All operations are thread-safe; listeners are
 * called after the pool's lock is released.
 *
 * <p>Every operation takes the pool's lock once: a {@link PoolLock}, entered with one CAS and left with a plain
 * release store, waking a parked waiter only when it sees one (a monitor's exit is a second atomic; the three
 * locked calls of an allocate, register and release took 58.5 ns with a monitor, 46.0 ns with it, medians of
 * interleaved runs at 1k blocks). A handle's close is claimed under that same lock, so a release is one CAS and
 * no further atomic.
 */
public final class BlockPool {

    /** Told of registrations (to queue offloads) and evictions (events, metrics). */
    public interface Listener {
        default void registered(BlockPool pool, long sequenceHash, OptionalLong parent, int blockId, int priority) {
        }

        /**
         * The blocks one {@link #register} call made matchable, in order (a request's fresh blocks at once);
         * by default each is passed to {@link #registered(BlockPool, long, OptionalLong, int, int)}.
         */
        default void registered(BlockPool pool, Registrations blocks) {
            for (int i = 0; i < blocks.size(); i++) {
                registered(pool, blocks.sequenceHash(i), blocks.parent(i), blocks.blockId(i), blocks.priority(i));
            }
        }

        default void evicted(BlockPool pool, long sequenceHash) {
        }
    }

    /**
     * Told of every change to the set of registered hashes while the pool's lock is held, so the order
     * it sees is the pool's own (listeners run after the lock is released, and two threads' calls may
     * cross). Must be quick and must not call back into the pool.
     */
    public interface Journal {
        /** {@code sequenceHash} became matchable. */
        void stored(BlockPool pool, long sequenceHash, OptionalLong parent);

        /** {@code sequenceHash} stopped being matchable (evicted, invalidated or reset). */
        void removed(BlockPool pool, long sequenceHash);
    }

    private static final int NO_REF = 0;
    private static final int RESET = BlockState.RESET.ordinal();
    private static final int REGISTERED = BlockState.REGISTERED.ordinal();
    private static final BlockState[] STATES = BlockState.values();
    private static final Listener[] NO_LISTENERS = {};

    private final String name;
    private final Tier tier;
    private final int total;

    /** The pool's lock: private, so no caller can hold it; not reentrant (nothing under it calls back in). */
    private final PoolLock lock = new PoolLock();
    /** Copied on write (listeners are added at start-up, read on every operation). */
    private volatile Listener[] listeners = NO_LISTENERS;
    private volatile Journal journal;

    // Per-block state, guarded by lock: one record per block in each of two arrays (a block's fields share a
    // cache line or two, where an array per field spread one operation over a dozen lines). Ints only, so no
    // store pays G1's reference write barrier.
    private static final int INT_SHIFT = 3; // 8 ints a block
    private static final int REFS = 0;
    /** Registered children (blocks registered here whose parent hash is this block's hash): not evictable then. */
    private static final int CHILDREN = 1;
    private static final int PRIORITY = 2;
    /** The {@link BlockState} ordinal. */
    private static final int STATE = 3;
    private static final int HAS_PARENT = 4;
    private static final int DOOMED = 5;
    private static final int LONG_SHIFT = 2; // 4 longs a block
    private static final int HASH = 0;
    private static final int PARENT = 1;
    private static final int TICK = 2;
    private final int[] ints;
    private final long[] longs;

    private final int[] freeStack;
    private int freeCount;
    /** The primary block of each registered hash. */
    private final LongIntMap registry;
    /**
     * The same count for parent hashes with no primary here (a child registered before its parent, or whose
     * parent was invalidated): moved onto the block when the parent registers. Usually empty, so small.
     */
    private final LongIntMap orphans;
    /** Inactive registered blocks with no registered child: eviction candidates, first = next victim. */
    private final EvictionOrder evictable;
    private int inactive;
    private int active;
    private long clock;
    private long evictions;

    public BlockPool(String name, Tier tier, int numBlocks) {
        if (numBlocks < 1) {
            throw KvbmException.invalid("numBlocks", numBlocks, ">= 1");
        }
        this.name = name;
        this.tier = tier;
        this.total = numBlocks;
        this.ints = new int[Math.multiplyExact(numBlocks, 1 << INT_SHIFT)]; // all RESET (0), unreferenced, childless
        this.longs = new long[Math.multiplyExact(numBlocks, 1 << LONG_SHIFT)];
        this.freeStack = new int[numBlocks];
        // Hand out low ids first: block 0 is taken first, which keeps small runs readable.
        for (int i = 0; i < numBlocks; i++) {
            freeStack[i] = numBlocks - 1 - i;
        }
        this.freeCount = numBlocks;
        this.registry = new LongIntMap(numBlocks);
        this.orphans = new LongIntMap(16);
        this.evictable = new EvictionOrder(ints, PRIORITY, INT_SHIFT, longs, TICK, LONG_SHIFT);
    }

    public String name() {
        return name;
    }

    public Tier tier() {
        return tier;
    }

    public int totalBlocks() {
        return total;
    }

    public void addListener(Listener listener) {
        lock.lock();
        try {
            Listener[] now = Arrays.copyOf(listeners, listeners.length + 1);
            now[now.length - 1] = listener;
            listeners = now;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes {@code n} blocks: reset ones first, then evicted inactive ones. Fails with
     * {@code NOT_ENOUGH_BLOCKS} and takes nothing when fewer than {@code n} are available. The list is
     * the caller's.
     */
    public List<MutableBlock> allocate(int n) {
        if (n < 0) {
            throw KvbmException.invalid("n", n, ">= 0");
        }
        if (n == 1) {
            return listOf(allocateOne()); // the manager's offload lanes take one block at a time
        }
        Hashes evicted = evictionRecord();
        MutableBlock[] taken = new MutableBlock[n];
        try {
            allocateLocked(n, taken, evicted);
        } finally {
            fireEvicted(evicted); // blocks evicted before a failure are gone too: listeners hear of them
        }
        return new ArrayList<>(Arrays.asList(taken));
    }

    private void allocateLocked(int n, MutableBlock[] taken, Hashes evicted) {
        lock.lock();
        try {
            checkAvailable(n);
            for (int i = 0; i < n; i++) {
                if (freeCount == 0 && !evictOne(evicted)) {
                    // Inactive blocks remain but each is the parent of a block in use: give back what was taken.
                    for (int k = 0; k < i; k++) {
                        pushFree(taken[k].blockId());
                    }
                    throw parentsInUse(n, i);
                }
                taken[i] = takeFree();
            }
        } finally {
            lock.unlock();
        }
    }

    private MutableBlock allocateOne() {
        Hashes evicted = evictionRecord();
        MutableBlock taken;
        lock.lock();
        try {
            checkAvailable(1);
            if (freeCount == 0 && !evictOne(evicted)) {
                throw parentsInUse(1, 0);
            }
            taken = takeFree();
        } finally {
            lock.unlock();
        }
        fireEvicted(evicted);
        return taken;
    }

    /** Only {@code freed} of {@code n} blocks could be taken: every other inactive block is a parent of one in use. */
    private KvbmException parentsInUse(int n, int freed) {
        return new KvbmException(ErrorCode.NOT_ENOUGH_BLOCKS, name + ": " + n + (n == 1 ? " block" : " blocks")
                + " asked, " + (n == 1 ? "none" : "only " + freed) + " could be freed; the other " + inactive
                + " inactive blocks are parents of blocks in use");
    }

    private void checkAvailable(int n) {
        if (freeCount + inactive < n) {
            throw new KvbmException(ErrorCode.NOT_ENOUGH_BLOCKS, name + ": " + n + " blocks asked, "
                    + (freeCount + inactive) + " available (" + freeCount + " free, " + inactive + " inactive) of "
                    + total);
        }
    }

    private MutableBlock takeFree() {
        int id = freeStack[--freeCount];
        ints[intAt(id, STATE)] = RESET;
        return new MutableBlock(this, id);
    }

    /**
     * Registers complete blocks, in order. A block whose hash is already registered here is a
     * duplicate: the existing primary is returned (and revived if inactive) and the duplicate goes back
     * reset. Each handle passed in is consumed. The list is the caller's.
     */
    public List<ImmutableBlock> register(List<MutableBlock> blocks) {
        int n = blocks.size();
        if (n == 0) {
            throw KvbmException.invalid("blocks", "an empty list", "at least one block to register");
        }
        // Only listeners read what was newly registered: a pool without any (a benchmark's) records nothing.
        Registrations newlyRegistered = listeners.length == 0 ? null : new Registrations(n);
        ImmutableBlock one = null;
        ImmutableBlock[] many = n == 1 ? null : new ImmutableBlock[n];
        lock.lock();
        try {
            for (int i = 0; i < n; i++) {
                checkRegistrable(blocks.get(i));
            }
            for (int i = 0; i < n; i++) {
                ImmutableBlock b = registerChecked(blocks.get(i), newlyRegistered);
                if (many == null) {
                    one = b;
                } else {
                    many[i] = b;
                }
            }
        } finally {
            lock.unlock();
        }
        if (newlyRegistered != null && newlyRegistered.size() > 0) {
            for (Listener l : listeners) {
                l.registered(this, newlyRegistered);
            }
        }
        return many == null ? listOf(one) : new ArrayList<>(Arrays.asList(many));
    }

    private void checkRegistrable(MutableBlock m) {
        if (m.pool() != this) {
            throw new KvbmException(ErrorCode.INVALID_ARGUMENT, "block " + m.blockId() + " belongs to pool "
                    + m.pool().name() + ", not " + name);
        }
        if (m.consumed() || m.state() != BlockState.COMPLETE) {
            throw invalidState("register", m.blockId(), m.consumed() ? BlockState.REGISTERED : m.state());
        }
    }

    /** Registers one checked block (lock held): the new primary, or the existing one for a duplicate. */
    private ImmutableBlock registerChecked(MutableBlock m, Registrations newlyRegistered) {
        int id = m.blockId();
        long h = m.sequenceHash();
        m.consume();
        int existing = registry.putIfAbsent(h, id);
        if (existing != LongIntMap.MISSING) {
            if (!flag(existing, DOOMED)) {
                acquire(existing);
                pushFree(id);
                return new ImmutableBlock(this, existing, h);
            }
            registry.put(h, id); // replaces a doomed primary, which is dropped on its last release
            // The hash's children now count on the new primary.
            ints[intAt(id, CHILDREN)] = ints[intAt(existing, CHILDREN)];
            ints[intAt(existing, CHILDREN)] = 0;
        } else {
            // Children registered before this block counted on its hash (MISSING: there are none).
            ints[intAt(id, CHILDREN)] = Math.max(0, orphans.remove(h));
        }
        ints[intAt(id, STATE)] = REGISTERED;
        longs[longAt(id, HASH)] = h;
        OptionalLong parent = m.parentSequenceHash();
        setFlag(id, HAS_PARENT, parent.isPresent());
        longs[longAt(id, PARENT)] = parent.orElse(0);
        ints[intAt(id, PRIORITY)] = m.priority();
        ints[intAt(id, REFS)] = 1;
        setFlag(id, DOOMED, false);
        active++;
        Journal j = journal;
        if (j != null) {
            j.stored(this, h, parent);
        }
        if (parent.isPresent()) {
            long p = parent.getAsLong();
            int pid = registry.get(p);
            if (pid != LongIntMap.MISSING) {
                ints[intAt(pid, CHILDREN)]++;
                evictable.remove(pid);
            } else {
                orphans.add(p, 1);
            }
        }
        if (newlyRegistered != null) {
            newlyRegistered.add(id, h, parent, m.priority());
        }
        return new ImmutableBlock(this, id, h);
    }

    /** The longest registered prefix of {@code hashes}, each block acquired; stops at the first miss. */
    public List<ImmutableBlock> matchSequenceHashes(long[] hashes) {
        return matchSequenceHashes(hashes, 0, hashes.length);
    }

    /** As {@link #matchSequenceHashes(long[])}, over {@code hashes[from, to)}. */
    public List<ImmutableBlock> matchSequenceHashes(long[] hashes, int from, int to) {
        List<ImmutableBlock> matched = new ArrayList<>(Math.max(0, Math.min(to - from, 64)));
        lock.lock();
        try {
            for (int i = from; i < to; i++) {
                int id = registry.get(hashes[i]);
                if (id == LongIntMap.MISSING || flag(id, DOOMED)) {
                    break;
                }
                acquire(id);
                matched.add(new ImmutableBlock(this, id, hashes[i]));
            }
        } finally {
            lock.unlock();
        }
        return matched;
    }

    /**
     * For each of {@code hashes[from, to)}: its registered block, acquired, or {@code null} where the hash is
     * not registered (unlike a prefix match, a miss does not stop the lookup). One lock for the whole range.
     */
    public ImmutableBlock[] lookupEach(long[] hashes, int from, int to) {
        ImmutableBlock[] found = new ImmutableBlock[to - from];
        lock.lock();
        try {
            for (int i = from; i < to; i++) {
                int id = registry.get(hashes[i]);
                if (id != LongIntMap.MISSING && !flag(id, DOOMED)) {
                    acquire(id);
                    found[i - from] = new ImmutableBlock(this, id, hashes[i]);
                }
            }
        } finally {
            lock.unlock();
        }
        return found;
    }

    /**
     * Holds a registered block without using it: while pinned it cannot be evicted, and releasing the pin
     * leaves its recency as it was (the offload manager pins the blocks it copies, which must not make
     * them look recently used). Empty when the hash is not registered.
     */
    public java.util.Optional<ImmutableBlock> pin(long sequenceHash) {
        lock.lock();
        try {
            int id = registry.get(sequenceHash);
            if (id == LongIntMap.MISSING || flag(id, DOOMED)) {
                return java.util.Optional.empty();
            }
            acquire(id);
            return java.util.Optional.of(new ImmutableBlock(this, id, sequenceHash, true));
        } finally {
            lock.unlock();
        }
    }

    /** How many leading hashes of {@code hashes[from, to)} are registered here, acquiring nothing. */
    public int prefixLength(long[] hashes, int from, int to) {
        lock.lock();
        try {
            int n = 0;
            for (int i = from; i < to; i++) {
                int id = registry.get(hashes[i]);
                if (id == LongIntMap.MISSING || flag(id, DOOMED)) {
                    break;
                }
                n++;
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    /** Whether {@code sequenceHash} is registered here. */
    public boolean contains(long sequenceHash) {
        lock.lock();
        try {
            int id = registry.get(sequenceHash);
            return id != LongIntMap.MISSING && !flag(id, DOOMED);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Marks the registered prefix of {@code hashes} as most recently used; inactive blocks are
     * re-ordered, active ones are skipped (their release will order them).
     */
    public void touch(long[] hashes) {
        lock.lock();
        try {
            for (long h : hashes) {
                int id = registry.get(h);
                if (id == LongIntMap.MISSING) {
                    break;
                }
                if (ints[intAt(id, REFS)] == NO_REF) {
                    boolean wasEvictable = evictable.remove(id);
                    longs[longAt(id, TICK)] = ++clock;
                    if (wasEvictable) {
                        evictable.add(id);
                    }
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Removes {@code sequenceHash} from the registry (its bytes were found corrupt): at once when nobody
     * holds the block, else when the last reference is closed. Matching stops finding it immediately.
     *
     * @return whether the hash was registered
     */
    public boolean invalidate(long sequenceHash) {
        lock.lock();
        try {
            int id = registry.get(sequenceHash);
            if (id == LongIntMap.MISSING) {
                return false;
            }
            if (ints[intAt(id, REFS)] == NO_REF) {
                evictable.remove(id);
                inactive--;
                drop(id, null); // not an eviction: the journal hears of it, the listeners do not
                pushFree(id);
            } else if (!flag(id, DOOMED)) {
                setFlag(id, DOOMED, true);
                Journal j = journal;
                if (j != null) {
                    j.removed(this, sequenceHash);
                }
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Sets the journal told of every registration and removal (null: none). */
    public void journal(Journal j) {
        this.journal = j;
    }

    /** The hashes a match can find now, in no particular order. */
    public long[] registeredHashes() {
        lock.lock();
        try {
            long[] out = new long[registry.size()];
            int[] n = {0};
            registry.forEach((h, id) -> {
                if (!flag(id, DOOMED)) {
                    out[n[0]++] = h;
                }
            });
            return Arrays.copyOf(out, n[0]);
        } finally {
            lock.unlock();
        }
    }

    /** Resets every block; only when nothing is in use. */
    public void reset() {
        Hashes evicted = evictionRecord();
        lock.lock();
        try {
            int inUse = total - freeCount - inactive;
            if (inUse > 0) {
                throw new KvbmException(ErrorCode.INVALID_STATE, name + ": cannot reset while " + inUse
                        + " blocks are in use (total " + total + ", available " + (freeCount + inactive) + ")");
            }
            for (int id : registry.values()) {
                evictable.remove(id);
                inactive--;
                drop(id, evicted);
                pushFree(id);
            }
            orphans.clear(); // every block was dropped: no registered child is left to count
        } finally {
            lock.unlock();
        }
        fireEvicted(evicted);
    }

    public PoolStatus status() {
        lock.lock();
        try {
            int inFlight = total - freeCount - inactive - active;
            return new PoolStatus(total, freeCount, inactive, active, inFlight, registry.size(), evictions);
        } finally {
            lock.unlock();
        }
    }

    /** Checks the pool's invariants; for tests and debugging. Throws {@link IllegalStateException} on a breach. */
    public void checkInvariants() {
        lock.lock();
        try {
            int registered = 0;
            int act = 0;
            int inact = 0;
            int reset = 0;
            for (int id = 0; id < total; id++) {
                if (ints[intAt(id, STATE)] == REGISTERED) {
                    registered++;
                    if (!flag(id, DOOMED) && registry.get(longs[longAt(id, HASH)]) != id) {
                        throw new IllegalStateException(name + ": block " + id + " registered but not the primary");
                    }
                    if (ints[intAt(id, REFS)] > 0) {
                        act++;
                    } else {
                        inact++;
                        boolean leaf = ints[intAt(id, CHILDREN)] == 0;
                        if (leaf != evictable.contains(id)) {
                            throw new IllegalStateException(name + ": block " + id + " evictable=" + !leaf);
                        }
                    }
                } else if (ints[intAt(id, REFS)] != 0) {
                    throw new IllegalStateException(name + ": unregistered block " + id + " has references");
                }
                if (ints[intAt(id, STATE)] == RESET) {
                    reset++;
                }
            }
            long replacedDoomed = java.util.stream.IntStream.range(0, total)
                    .filter(id -> flag(id, DOOMED) && registry.get(longs[longAt(id, HASH)]) != id).count();
            if (registered - replacedDoomed != registry.size() || act != active || inact != inactive) {
                throw new IllegalStateException(name + ": counts registry=" + registry.size() + "/" + registered
                        + " active=" + active + "/" + act + " inactive=" + inactive + "/" + inact);
            }
            if (freeCount > reset || freeCount + inactive + active > total) {
                throw new IllegalStateException(name + ": free=" + freeCount + " reset=" + reset);
            }
            checkChildCounts();
        } finally {
            lock.unlock();
        }
    }

    /** Recounts every registered block's parent: on the parent's primary when it has one here, else in orphans. */
    private void checkChildCounts() {
        java.util.Map<Long, Integer> counted = new java.util.HashMap<>();
        for (int id = 0; id < total; id++) {
            if (ints[intAt(id, STATE)] == REGISTERED && flag(id, HAS_PARENT)) {
                counted.merge(longs[longAt(id, PARENT)], 1, Integer::sum);
            }
        }
        long onBlocks = 0;
        for (int id = 0; id < total; id++) {
            long h = longs[longAt(id, HASH)];
            boolean primary = ints[intAt(id, STATE)] == REGISTERED && registry.get(h) == id;
            int expected = primary ? counted.getOrDefault(h, 0) : 0;
            if (ints[intAt(id, CHILDREN)] != expected) {
                throw new IllegalStateException(name + ": block " + id + " counts " + ints[intAt(id, CHILDREN)]
                        + " children, " + expected + " are registered");
            }
            onBlocks += expected;
        }
        long[] orphanTotal = {0};
        orphans.forEach((h, n) -> {
            if (registry.get(h) != LongIntMap.MISSING || counted.getOrDefault(h, 0) != n) {
                throw new IllegalStateException(name + ": parent " + Long.toUnsignedString(h) + " counts " + n
                        + " orphans, " + counted.getOrDefault(h, 0) + " are registered, primary here: "
                        + (registry.get(h) != LongIntMap.MISSING));
            }
            orphanTotal[0] += n;
        });
        long all = counted.values().stream().mapToLong(Integer::longValue).sum();
        if (onBlocks + orphanTotal[0] != all) {
            throw new IllegalStateException(name + ": " + all + " registered children, " + onBlocks
                    + " counted on parents, " + orphanTotal[0] + " on orphan hashes");
        }
    }

    // --- package-private: handles call back here ---

    ImmutableBlock share(ImmutableBlock block) {
        lock.lock();
        try {
            if (block.isClosed()) {
                int id = block.blockId();
                throw invalidState("share a closed reference", id, STATES[ints[intAt(id, STATE)]]);
            }
            acquire(block.blockId());
            return new ImmutableBlock(this, block.blockId(), block.sequenceHash());
        } finally {
            lock.unlock();
        }
    }

    /** Closes {@code block} once: the claim is made under the pool's lock, so a second close is a no-op. */
    void release(ImmutableBlock block) {
        Hashes evicted = null;
        lock.lock();
        try {
            if (block.closedUnderLock()) {
                return;
            }
            block.markClosed();
            int id = block.blockId();
            if (!block.preservesRecency()) {
                // Every use's release counts, not only the last: a pin released after the user must not
                // leave the block with the tick of an older use. Active blocks are not in the evictable
                // set, so the tick can change here.
                longs[longAt(id, TICK)] = ++clock;
            }
            if (--ints[intAt(id, REFS)] > 0) {
                return;
            }
            active--;
            if (flag(id, DOOMED)) {
                evicted = evictionRecord();
                drop(id, evicted);
                pushFree(id);
                return;
            }
            inactive++;
            if (ints[intAt(id, CHILDREN)] == 0) {
                evictable.add(id);
            }
        } finally {
            lock.unlock();
        }
        fireEvicted(evicted);
    }

    void returnUnregistered(MutableBlock m) {
        lock.lock();
        try {
            m.consume();
            pushFree(m.blockId());
        } finally {
            lock.unlock();
        }
    }

    // --- internals, lock held ---

    private void acquire(int id) {
        if (ints[intAt(id, REFS)]++ == NO_REF) {
            evictable.remove(id);
            inactive--;
            active++;
        }
    }

    private boolean evictOne(Hashes evicted) {
        int victim = evictable.pollFirst();
        if (victim < 0) {
            return false;
        }
        inactive--;
        evictions++;
        drop(victim, evicted);
        pushFree(victim);
        return true;
    }

    /** Unregisters a block (no references left) and resets it; its parent may become evictable. */
    private void drop(int id, Hashes evicted) {
        long h = longs[longAt(id, HASH)];
        // A doomed block may already have been replaced as primary (its children then count on the new one).
        if (registry.remove(h, id) && ints[intAt(id, CHILDREN)] > 0) {
            // Its children stay registered: they wait for the hash to come back.
            orphans.add(h, ints[intAt(id, CHILDREN)]);
            ints[intAt(id, CHILDREN)] = 0;
        }
        if (flag(id, HAS_PARENT)) {
            long p = longs[longAt(id, PARENT)];
            int pid = registry.get(p);
            if (pid == LongIntMap.MISSING) {
                orphans.add(p, -1);
            } else if (--ints[intAt(pid, CHILDREN)] == 0 && ints[intAt(pid, REFS)] == NO_REF) {
                evictable.add(pid);
            }
        }
        Journal j = journal;
        if (j != null && !flag(id, DOOMED)) {
            j.removed(this, h); // a doomed block was reported when it was invalidated
        }
        setFlag(id, DOOMED, false);
        setFlag(id, HAS_PARENT, false);
        if (evicted != null) {
            evicted.add(h);
        }
    }

    private static int intAt(int id, int field) {
        return (id << INT_SHIFT) + field;
    }

    private static int longAt(int id, int field) {
        return (id << LONG_SHIFT) + field;
    }

    private boolean flag(int id, int field) {
        return ints[intAt(id, field)] != 0;
    }

    private void setFlag(int id, int field, boolean value) {
        ints[intAt(id, field)] = value ? 1 : 0;
    }

    private void pushFree(int id) {
        ints[intAt(id, STATE)] = RESET;
        ints[intAt(id, REFS)] = 0;
        freeStack[freeCount++] = id;
    }

    /** Where drops are recorded for the listeners: null (nothing recorded) when nobody listens. */
    private Hashes evictionRecord() {
        return listeners.length == 0 ? null : new Hashes();
    }

    private void fireEvicted(Hashes evicted) {
        if (evicted == null || evicted.size == 0) {
            return;
        }
        for (Listener l : listeners) {
            for (int i = 0; i < evicted.size; i++) {
                l.evicted(this, evicted.hashes[i]);
            }
        }
    }

    /** Hashes dropped under the lock, told to the listeners after it: a growable long[], no boxing. */
    private static final class Hashes {
        long[] hashes; // made by the first drop: most releases drop nothing
        int size;

        void add(long h) {
            if (hashes == null) {
                hashes = new long[4];
            } else if (size == hashes.length) {
                hashes = Arrays.copyOf(hashes, size * 2);
            }
            hashes[size++] = h;
        }
    }

    /** A list of one, the caller's to change like every list the pool returns. */
    private static <T> List<T> listOf(T only) {
        return new OneOrMoreList<>(only);
    }

    static KvbmException invalidState(String op, int blockId, BlockState state) {
        return new KvbmException(ErrorCode.INVALID_STATE, op + " is not allowed on block " + blockId + " in state "
                + state);
    }

    @Override
    public String toString() {
        return "BlockPool[" + name + ", " + tier + ", " + status() + "]";
    }
}
