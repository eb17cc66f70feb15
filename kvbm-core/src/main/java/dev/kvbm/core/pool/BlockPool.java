package dev.kvbm.core.pool;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.Tier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.locks.ReentrantLock;

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

    private final String name;
    private final Tier tier;
    private final int total;
    private final ReentrantLock lock = new ReentrantLock();
    private final List<Listener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile Journal journal;

    // Per-block state, indexed by block id; guarded by lock.
    private final BlockState[] state;
    private final long[] hash;
    private final long[] parentHash;
    private final boolean[] hasParent;
    private final int[] refCount;
    private final int[] priority;
    private final long[] releaseTick;
    private final boolean[] doomed;

    private final int[] freeStack;
    private int freeCount;
    /** The primary block of each registered hash. */
    private final LongIntMap registry;
    /** Registered blocks in this pool per parent hash: a parent with children here is not evictable. */
    private final LongIntMap childrenOf;
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
        this.state = new BlockState[numBlocks];
        Arrays.fill(state, BlockState.RESET);
        this.hash = new long[numBlocks];
        this.parentHash = new long[numBlocks];
        this.hasParent = new boolean[numBlocks];
        this.refCount = new int[numBlocks];
        this.priority = new int[numBlocks];
        this.releaseTick = new long[numBlocks];
        this.doomed = new boolean[numBlocks];
        this.freeStack = new int[numBlocks];
        // Hand out low ids first: block 0 is taken first, which keeps small runs readable.
        for (int i = 0; i < numBlocks; i++) {
            freeStack[i] = numBlocks - 1 - i;
        }
        this.freeCount = numBlocks;
        this.registry = new LongIntMap(numBlocks);
        this.childrenOf = new LongIntMap(numBlocks);
        this.evictable = new EvictionOrder(priority, releaseTick);
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
        listeners.add(listener);
    }

    /**
     * Takes {@code n} blocks: reset ones first, then evicted inactive ones. Fails with
     * {@code NOT_ENOUGH_BLOCKS} and takes nothing when fewer than {@code n} are available.
     */
    public List<MutableBlock> allocate(int n) {
        if (n < 0) {
            throw KvbmException.invalid("n", n, ">= 0");
        }
        Hashes evicted = new Hashes();
        List<MutableBlock> taken = new ArrayList<>(n);
        lock.lock();
        try {
            if (freeCount + inactive < n) {
                throw new KvbmException(ErrorCode.NOT_ENOUGH_BLOCKS, name + ": " + n + " blocks asked, "
                        + (freeCount + inactive) + " available (" + freeCount + " free, " + inactive + " inactive) of "
                        + total);
            }
            for (int i = 0; i < n; i++) {
                if (freeCount == 0 && !evictOne(evicted)) {
                    // Inactive blocks remain but each is the parent of a block in use: give back what was taken.
                    taken.forEach(m -> pushFree(m.blockId()));
                    throw new KvbmException(ErrorCode.NOT_ENOUGH_BLOCKS, name + ": " + n + " blocks asked, only "
                            + i + " could be freed; the other " + inactive + " inactive blocks are parents of blocks "
                            + "in use");
                }
                int id = freeStack[--freeCount];
                state[id] = BlockState.RESET;
                taken.add(new MutableBlock(this, id));
            }
        } finally {
            lock.unlock();
        }
        fireEvicted(evicted);
        return taken;
    }

    /**
     * Registers complete blocks, in order. A block whose hash is already registered here is a
     * duplicate: the existing primary is returned (and revived if inactive) and the duplicate goes back
     * reset. Each handle passed in is consumed.
     */
    public List<ImmutableBlock> register(List<MutableBlock> blocks) {
        if (blocks.isEmpty()) {
            throw KvbmException.invalid("blocks", "an empty list", "at least one block to register");
        }
        List<ImmutableBlock> result = new ArrayList<>(blocks.size());
        // Only listeners read what was newly registered: a pool without any (a benchmark's) records nothing.
        Registrations newlyRegistered = listeners.isEmpty() ? null : new Registrations(blocks.size());
        lock.lock();
        try {
            for (MutableBlock m : blocks) {
                if (m.pool() != this) {
                    throw new KvbmException(ErrorCode.INVALID_ARGUMENT, "block " + m.blockId() + " belongs to pool "
                            + m.pool().name() + ", not " + name);
                }
                if (m.consumed() || m.state() != BlockState.COMPLETE) {
                    throw invalidState("register", m.blockId(), m.consumed() ? BlockState.REGISTERED : m.state());
                }
            }
            for (MutableBlock m : blocks) {
                int id = m.blockId();
                long h = m.sequenceHash();
                m.consume();
                int existing = registry.get(h);
                if (existing != LongIntMap.MISSING && !doomed[existing]) {
                    acquire(existing);
                    result.add(new ImmutableBlock(this, existing, h));
                    pushFree(id);
                    continue;
                }
                state[id] = BlockState.REGISTERED;
                hash[id] = h;
                OptionalLong parent = m.parentSequenceHash();
                hasParent[id] = parent.isPresent();
                parentHash[id] = parent.orElse(0);
                priority[id] = m.priority();
                refCount[id] = 1;
                doomed[id] = false;
                active++;
                registry.put(h, id); // replaces a doomed primary, which is dropped on its last release
                Journal j = journal;
                if (j != null) {
                    j.stored(this, h, parent);
                }
                if (parent.isPresent()) {
                    long p = parent.getAsLong();
                    childrenOf.add(p, 1);
                    int pid = registry.get(p);
                    if (pid != LongIntMap.MISSING) {
                        evictable.remove(pid);
                    }
                }
                result.add(new ImmutableBlock(this, id, h));
                if (newlyRegistered != null) {
                    newlyRegistered.add(id, h, parent, m.priority());
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
        return result;
    }

    /** The longest registered prefix of {@code hashes}, each block acquired; stops at the first miss. */
    public List<ImmutableBlock> matchSequenceHashes(long[] hashes) {
        return matchSequenceHashes(hashes, 0, hashes.length);
    }

    /** As {@link #matchSequenceHashes(long[])}, over {@code hashes[from, to)}. */
    public List<ImmutableBlock> matchSequenceHashes(long[] hashes, int from, int to) {
        List<ImmutableBlock> matched = new ArrayList<>();
        lock.lock();
        try {
            for (int i = from; i < to; i++) {
                int id = registry.get(hashes[i]);
                if (id == LongIntMap.MISSING || doomed[id]) {
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
                if (id != LongIntMap.MISSING && !doomed[id]) {
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
            if (id == LongIntMap.MISSING || doomed[id]) {
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
                if (id == LongIntMap.MISSING || doomed[id]) {
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
            return id != LongIntMap.MISSING && !doomed[id];
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
                if (refCount[id] == NO_REF) {
                    boolean wasEvictable = evictable.remove(id);
                    releaseTick[id] = ++clock;
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
        Hashes evicted = new Hashes();
        lock.lock();
        try {
            int id = registry.get(sequenceHash);
            if (id == LongIntMap.MISSING) {
                return false;
            }
            if (refCount[id] == NO_REF) {
                evictable.remove(id);
                inactive--;
                drop(id, evicted);
                pushFree(id);
            } else if (!doomed[id]) {
                doomed[id] = true;
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
                if (!doomed[id]) {
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
        Hashes evicted = new Hashes();
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
            childrenOf.clear();
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
                if (state[id] == BlockState.REGISTERED) {
                    registered++;
                    if (!doomed[id] && registry.get(hash[id]) != id) {
                        throw new IllegalStateException(name + ": block " + id + " registered but not the primary");
                    }
                    if (refCount[id] > 0) {
                        act++;
                    } else {
                        inact++;
                        boolean leaf = !childrenOf.containsKey(hash[id]);
                        if (leaf != evictable.contains(id)) {
                            throw new IllegalStateException(name + ": block " + id + " evictable=" + !leaf);
                        }
                    }
                } else if (refCount[id] != 0) {
                    throw new IllegalStateException(name + ": unregistered block " + id + " has references");
                }
                if (state[id] == BlockState.RESET) {
                    reset++;
                }
            }
            long replacedDoomed = java.util.stream.IntStream.range(0, total)
                    .filter(id -> doomed[id] && registry.get(hash[id]) != id).count();
            if (registered - replacedDoomed != registry.size() || act != active || inact != inactive) {
                throw new IllegalStateException(name + ": counts registry=" + registry.size() + "/" + registered
                        + " active=" + active + "/" + act + " inactive=" + inactive + "/" + inact);
            }
            if (freeCount > reset || freeCount + inactive + active > total) {
                throw new IllegalStateException(name + ": free=" + freeCount + " reset=" + reset);
            }
        } finally {
            lock.unlock();
        }
    }

    // --- package-private: handles call back here ---

    ImmutableBlock share(ImmutableBlock block) {
        lock.lock();
        try {
            if (block.isClosed()) {
                throw invalidState("share a closed reference", block.blockId(), state[block.blockId()]);
            }
            acquire(block.blockId());
            return new ImmutableBlock(this, block.blockId(), block.sequenceHash());
        } finally {
            lock.unlock();
        }
    }

    void release(ImmutableBlock block) {
        Hashes evicted = new Hashes();
        lock.lock();
        try {
            int id = block.blockId();
            if (!block.preservesRecency()) {
                // Every use's release counts, not only the last: a pin released after the user must not
                // leave the block with the tick of an older use. Active blocks are not in the evictable
                // set, so the tick can change here.
                releaseTick[id] = ++clock;
            }
            if (--refCount[id] > 0) {
                return;
            }
            active--;
            if (doomed[id]) {
                drop(id, evicted);
                pushFree(id);
                return;
            }
            inactive++;
            if (!childrenOf.containsKey(hash[id])) {
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
        if (refCount[id]++ == NO_REF) {
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
        long h = hash[id];
        registry.remove(h, id); // a doomed block may already have been replaced as primary
        if (hasParent[id]) {
            long p = parentHash[id];
            if (childrenOf.add(p, -1) <= 0) { // removed at zero
                int pid = registry.get(p);
                if (pid != LongIntMap.MISSING && refCount[pid] == NO_REF) {
                    evictable.add(pid);
                }
            }
        }
        Journal j = journal;
        if (j != null && !doomed[id]) {
            j.removed(this, h); // a doomed block was reported when it was invalidated
        }
        doomed[id] = false;
        hasParent[id] = false;
        evicted.add(h);
    }

    private void pushFree(int id) {
        state[id] = BlockState.RESET;
        refCount[id] = 0;
        freeStack[freeCount++] = id;
    }

    private void fireEvicted(Hashes evicted) {
        if (evicted.size == 0) {
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

    static KvbmException invalidState(String op, int blockId, BlockState state) {
        return new KvbmException(ErrorCode.INVALID_STATE, op + " is not allowed on block " + blockId + " in state "
                + state);
    }

    @Override
    public String toString() {
        return "BlockPool[" + name + ", " + tier + ", " + status() + "]";
    }
}
