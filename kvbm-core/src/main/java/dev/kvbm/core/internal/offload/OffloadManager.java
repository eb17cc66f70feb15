package dev.kvbm.core.internal.offload;

import dev.kvbm.core.offload.FrequencyFilter;
import dev.kvbm.core.offload.OffloadBackpressure;
import dev.kvbm.core.offload.PathStats;
import dev.kvbm.core.offload.TierHealth;
import dev.kvbm.core.offload.OffloadCounters;
import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.BlockPair;
import dev.kvbm.api.spi.PhysicalLayout;
import dev.kvbm.api.Tier;
import dev.kvbm.core.transfer.BlockMover;
import java.util.Optional;
import dev.kvbm.core.internal.integrity.BlockChecksums;
import dev.kvbm.core.pool.BlockPool;
import dev.kvbm.core.pool.ImmutableBlock;
import dev.kvbm.core.pool.MutableBlock;
import dev.kvbm.core.pool.Registrations;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Write-through offload from one tier to the next: every block newly registered in the source pool is
 * queued (higher priority first, then first come first served), copied in batches with a bounded
 * number of transfers in flight, and registered in the target pool, which queues it for the tier
 * after that. A block the target already holds is skipped; when the target has no block to give, the
 * offload is skipped and counted. A failed copy never registers its target block.
 *
 * <p>Batches are registered in the order they were queued even when their copies finish out of order,
 * so the target's recency follows the source's registration order. Registration (and with it the
 * target pool's listeners and the next edge's queueing) runs on the edge's own thread, never on the
 * engine thread that completed the copy.
 *
 * <p>Each edge's queue is bounded ({@code queueCapacity}); a registration that finds it full waits for
 * room or skips the offload and counts it ({@link #skippedTargetBusy()}), as {@link OffloadBackpressure}
 * says.
 */
public final class OffloadManager implements OffloadCounters, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(OffloadManager.class.getName());

    /**
     * One source-to-target edge.
     *
     * @param sourceLayout the source's bytes when this process holds them: a block's checksum is taken there,
     *                     on the edge's thread, before its first copy (the bytes the engine computed)
     * @param targetLayout the target's bytes when this process holds them (checksums are taken there when the
     *                     source could not be read)
     * @param blockBytes   bytes of one block, for the statistics
     * @param filter       admission filter of the edge (Dynamo's G2 -> G3 frequency filter), or empty
     */
    public record Edge(Tier sourceTier, BlockPool sourcePool, Optional<PhysicalLayout> sourceLayout, Tier targetTier,
                       BlockPool targetPool, Optional<PhysicalLayout> targetLayout, BlockMover mover, PathStats stats,
                       long blockBytes, Optional<FrequencyFilter> filter) {
    }

    /** Blocks an edge queues before registrations wait or skip: about 1 MiB of requests per edge. */
    public static final int DEFAULT_QUEUE_CAPACITY = 16_384;
    /** How long {@link #close()} waits for the edges' threads (their copies in flight) to finish. */
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

    private final List<Lane> lanes = new ArrayList<>();
    private final BlockChecksums checksums;
    private final int batchSize;
    private final int maxInFlight;
    private final LongAdder skippedPresent = new LongAdder();
    private final LongAdder skippedTargetFull = new LongAdder();
    private final LongAdder skippedSourceGone = new LongAdder();
    private final LongAdder failedBlocks = new LongAdder();
    private final LongAdder skippedFiltered = new LongAdder();
    private final LongAdder skippedDegraded = new LongAdder();
    private final TierHealth health;
    private final LongAdder skippedTargetBusy = new LongAdder();
    private final int queueCapacity;
    private final OffloadBackpressure backpressure;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Notified whenever a lane's pending count drops to zero: {@link #awaitIdle()} waits on it. */
    private final Object idle = new Object();

    public OffloadManager(List<Edge> edges, BlockChecksums checksums, int batchSize, int maxInFlight) {
        this(edges, checksums, batchSize, maxInFlight, new TierHealth(TierHealth.DEFAULT_FAILURE_THRESHOLD,
                TierHealth.DEFAULT_COOL_DOWN, System::nanoTime));
    }

    /** {@code health} is shared with the manager: failed offloads degrade their target tier. */
    public OffloadManager(List<Edge> edges, BlockChecksums checksums, int batchSize, int maxInFlight,
                          TierHealth health) {
        this(edges, checksums, batchSize, maxInFlight, health, DEFAULT_QUEUE_CAPACITY, OffloadBackpressure.WAIT);
    }

    /**
     * {@code queueCapacity} bounds each edge's queue of blocks waiting for their copy; {@code backpressure}
     * says what a registration does when its edge's queue is full. The edges' threads start with their
     * first block and are joined by {@link #close()}.
     */
    public OffloadManager(List<Edge> edges, BlockChecksums checksums, int batchSize, int maxInFlight,
                          TierHealth health, int queueCapacity, OffloadBackpressure backpressure) {
        this.health = Objects.requireNonNull(health, "health");
        this.backpressure = Objects.requireNonNull(backpressure, "backpressure");
        if (batchSize < 1) {
            throw KvbmException.invalid("batchSize", batchSize, ">= 1");
        }
        if (maxInFlight < 1) {
            throw KvbmException.invalid("maxInFlight", maxInFlight, ">= 1");
        }
        if (queueCapacity < 1) {
            throw KvbmException.invalid("offloadQueueCapacity", queueCapacity, ">= 1");
        }
        this.checksums = checksums;
        this.batchSize = batchSize;
        this.maxInFlight = maxInFlight;
        this.queueCapacity = queueCapacity;
        for (Edge e : edges) {
            Lane lane = new Lane(e);
            lanes.add(lane);
            e.sourcePool().addListener(new BlockPool.Listener() {
                @Override
                public void registered(BlockPool pool, Registrations blocks) {
                    lane.enqueue(blocks); // a request's blocks in one hand-off: one wake-up, full batches
                }
            });
        }
    }

    /**
     * Waits until no offload is queued or running on any edge (a cascade to the next tier included): woken when
     * a lane's pending count reaches zero, never polling. A lane settles its blocks only after registering them
     * in the target, which queues them on the next lane first, so lanes checked in order cannot miss a cascade.
     * Interrupts do not end the wait; the thread's interrupt status is kept.
     */
    public void awaitIdle() {
        boolean interrupted = false;
        synchronized (idle) {
            while (anyPending()) {
                try {
                    idle.wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean anyPending() {
        for (Lane lane : lanes) {
            if (lane.pending.get() > 0) {
                return true;
            }
        }
        return false;
    }

    @Override
    public long skippedAlreadyPresent() {
        return skippedPresent.sum();
    }

    @Override
    public long skippedTargetFull() {
        return skippedTargetFull.sum();
    }

    @Override
    public long skippedSourceGone() {
        return skippedSourceGone.sum();
    }

    @Override
    public long failedBlocks() {
        return failedBlocks.sum();
    }

    /** Offloads the edge's admission filter turned away (a G2 block seen once is not written to disk). */
    @Override
    public long skippedFiltered() {
        return skippedFiltered.sum();
    }

    /** Offloads skipped because their target tier was degraded. */
    @Override
    public long skippedDegraded() {
        return skippedDegraded.sum();
    }

    public TierHealth health() {
        return health;
    }

    @Override
    public long skippedTargetBusy() {
        return skippedTargetBusy.sum();
    }

    public OffloadBackpressure backpressure() {
        return backpressure;
    }

    public int queueCapacity() {
        return queueCapacity;
    }

    /**
     * Stops queueing, drops what is queued and not started, lets the copies in flight finish (their blocks
     * are released), and joins every edge's thread, waiting at most {@link #CLOSE_TIMEOUT} in all.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        List<Thread> threads = new ArrayList<>();
        for (Lane lane : lanes) {
            Thread t = lane.wakeForClose();
            if (t != null) {
                threads.add(t);
            }
        }
        long deadline = System.nanoTime() + CLOSE_TIMEOUT.toNanos();
        try {
            for (Thread t : threads) {
                long left = deadline - System.nanoTime();
                if (left > 0) {
                    t.join(Duration.ofNanos(left));
                }
                if (t.isAlive()) {
                    LOG.log(Level.WARNING, t.getName() + " did not finish its copies within " + CLOSE_TIMEOUT
                            + "; abandoning them");
                    t.interrupt();
                }
            }
        } catch (InterruptedException e) {
            threads.forEach(Thread::interrupt);
            Thread.currentThread().interrupt();
        }
    }

    private record Request(long hash, OptionalLong parent, int priority, long sequence) implements Comparable<Request> {
        @Override
        public int compareTo(Request o) {
            int c = Integer.compare(o.priority, priority); // higher priority first
            return c != 0 ? c : Long.compare(sequence, o.sequence);
        }
    }

    /** One copy started by a lane: what {@link Lane#finish} needs once the copy is done. */
    private static final class Batch {
        final List<Request> moving;
        final List<ImmutableBlock> sources;
        final List<MutableBlock> targets;
        final List<ImmutableBlock> parents;
        /** Set (under the lane's lock) by the thread that completed the copy. */
        volatile boolean done;
        volatile Throwable failure;

        Batch(List<Request> moving, List<ImmutableBlock> sources, List<MutableBlock> targets,
              List<ImmutableBlock> parents) {
            this.moving = moving;
            this.sources = sources;
            this.targets = targets;
            this.parents = parents;
        }
    }

    /**
     * One edge's queue and its thread. The thread takes requests in batches, starts their copies, and
     * registers finished copies in queue order. A copy's completion (on the engine's I/O thread) only
     * records the outcome and hands the batch back with one signal, so pool registration, listeners and
     * the next lane's queueing never run on an I/O thread.
     */
    private final class Lane implements Runnable {
        final Edge edge;
        final ReentrantLock lock = new ReentrantLock();
        /** Signalled when a request is queued, a copy finished, or the manager closes. */
        final Condition work = lock.newCondition();
        /** Signalled when the queue gave up requests (room for registrations that wait) or on close. */
        final Condition room = lock.newCondition();
        final PriorityQueue<Request> queue = new PriorityQueue<>(); // guarded by lock
        long sequence; // guarded by lock
        Thread thread; // guarded by lock; started with the first request
        /** Queued plus in-flight requests. */
        final AtomicInteger pending = new AtomicInteger();
        final Semaphore slots = new Semaphore(maxInFlight);
        /** Copies started and not yet registered, in queue order; touched by the lane's thread only. */
        final ArrayDeque<Batch> started = new ArrayDeque<>();

        Lane(Edge edge) {
            this.edge = edge;
        }

        /**
         * Queues every block of one registration under one lock and wakes the lane once, so its thread finds the
         * whole request (not its first block). A full queue waits for room (after waking the lane) or skips
         * the rest, as the backpressure says.
         */
        void enqueue(Registrations blocks) {
            lock.lock();
            try {
                if (closed.get()) {
                    return;
                }
                for (int i = 0; i < blocks.size(); i++) {
                    while (queue.size() >= queueCapacity) {
                        if (backpressure == OffloadBackpressure.SKIP) {
                            skippedTargetBusy.add(blocks.size() - i);
                            work.signal();
                            return;
                        }
                        work.signal(); // the lane takes what is queued so far
                        try {
                            room.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt(); // the registrations stand; only their offloads are dropped
                            skippedTargetBusy.add(blocks.size() - i);
                            return;
                        }
                        if (closed.get()) {
                            return;
                        }
                    }
                    pending.incrementAndGet();
                    queue.add(new Request(blocks.sequenceHash(i), blocks.parent(i), blocks.priority(i), sequence++));
                    if (thread == null) {
                        thread = Thread.ofPlatform().daemon().name("kvbm-offload-" + edge.stats().path()).start(this);
                    }
                }
                work.signal();
            } finally {
                lock.unlock();
            }
        }

        /** Requests that left the lane (copied and registered, skipped, failed or dropped): wakes awaitIdle at zero. */
        void settle(int n) {
            if (n > 0 && pending.addAndGet(-n) == 0) {
                synchronized (idle) {
                    idle.notifyAll();
                }
            }
        }

        /** Wakes everything that waits on this lane (the manager is closing). */
        Thread wakeForClose() {
            lock.lock();
            try {
                work.signalAll();
                room.signalAll();
                return thread;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void run() {
            List<Request> batch = new ArrayList<>(batchSize);
            try {
                while (true) {
                    batch.clear();
                    boolean woken = false;
                    lock.lock();
                    try {
                        while (queue.isEmpty() && !headCopied() && !closed.get()) {
                            work.await();
                            woken = true;
                        }
                        if (closed.get()) {
                            settle(queue.size()); // queued, never started: dropped with the manager
                            queue.clear();
                            break;
                        }
                        while (batch.size() < batchSize && !queue.isEmpty()) {
                            batch.add(queue.poll());
                        }
                        if (!batch.isEmpty()) {
                            room.signalAll();
                        }
                    } finally {
                        lock.unlock();
                    }
                    finishCopied();
                    if (!batch.isEmpty()) {
                        if (woken) {
                            // A registration that woke this lane is often still inside a manager call (commit) and the
                            // scheduler often runs the woken lane on that thread's CPU, preempting it: hand the CPU
                            // back once, so the call ends first. A free CPU makes this a no-op.
                            Thread.yield();
                        }
                        try {
                            process(batch);
                        } catch (RuntimeException e) {
                            // A bug in one batch must not stop the lane; process() accounted for its requests.
                            LOG.log(Level.ERROR, "offload " + edge.stats().path() + " failed unexpectedly", e);
                        }
                    }
                }
                // Closing: copies already started still release their blocks (and register, harmlessly).
                while (!started.isEmpty()) {
                    lock.lock();
                    try {
                        while (!headCopied()) {
                            work.await();
                        }
                    } finally {
                        lock.unlock();
                    }
                    finishCopied();
                }
            } catch (InterruptedException e) {
                // close() interrupts only once its bound ran out: what is still copying is abandoned.
                Thread.currentThread().interrupt();
            }
        }

        private boolean headCopied() {
            Batch head = started.peekFirst();
            return head != null && head.done;
        }

        /** Registers, in queue order, every started batch whose copy is done (on this lane's thread). */
        private void finishCopied() {
            while (headCopied()) {
                finish(started.pollFirst());
            }
        }

        private void process(List<Request> batch) throws InterruptedException {
            List<Request> moving = new ArrayList<>();
            List<ImmutableBlock> sources = new ArrayList<>();
            List<MutableBlock> targets = new ArrayList<>();
            // A parent already in the target is about to get a child there: evicting it now to make room
            // would orphan the child on arrival, so it is pinned (recency unchanged) until registration.
            List<ImmutableBlock> parents = new ArrayList<>();
            int skipped = 0;
            try {
                for (Request r : batch) {
                    if (r.parent().isPresent()) {
                        edge.targetPool().pin(r.parent().getAsLong()).ifPresent(parents::add);
                    }
                }
                if (!health.usable(edge.targetTier())) {
                    skippedDegraded.add(batch.size());
                    parents.forEach(ImmutableBlock::close);
                    settle(batch.size());
                    return;
                }
                for (Request r : batch) {
                    if (!admitted(r) || !select(r, moving, sources, targets)) {
                        skipped++;
                    }
                }
                if (moving.isEmpty()) {
                    parents.forEach(ImmutableBlock::close);
                    settle(skipped); // after the parents' pins are released: awaitIdle() then sees none held
                    return;
                }
                recordChecksums(moving, sources);
                slots.acquire();
            } catch (RuntimeException | InterruptedException e) {
                // Nothing started: whatever was pinned or taken goes back, and every request is accounted for
                // (none was settled yet), so awaitIdle() returns.
                failedBlocks.add(batch.size() - skipped);
                sources.forEach(ImmutableBlock::close);
                targets.forEach(MutableBlock::close);
                parents.forEach(ImmutableBlock::close);
                settle(batch.size());
                throw e;
            }
            settle(skipped);
            List<BlockPair> pairs = new ArrayList<>(moving.size());
            for (int i = 0; i < moving.size(); i++) {
                pairs.add(new BlockPair(sources.get(i).blockId(), targets.get(i).blockId()));
            }
            long bytes = (long) moving.size() * edge.blockBytes();
            long startedAt = edge.stats().begin();
            CompletableFuture<Void> copied;
            try {
                copied = edge.mover().move(edge.sourceTier(), edge.targetTier(), pairs);
            } catch (RuntimeException e) {
                copied = CompletableFuture.failedFuture(e);
            }
            Batch copy = new Batch(moving, sources, targets, parents);
            started.addLast(copy);
            // Runs where the copy completed (an I/O thread): statistics, the slot, and one hand-off per batch.
            copied.whenComplete((v, err) -> {
                edge.stats().end(startedAt, moving.size(), bytes, err == null);
                slots.release();
                copy.failure = err;
                lock.lock();
                try {
                    copy.done = true;
                    work.signal();
                } finally {
                    lock.unlock();
                }
            });
        }

        /**
         * Takes each block's checksum from its (pinned, immutable) source bytes on this lane's thread, before the
         * copy: the commit that registered it does not pay for it, and every lower tier's copy is checked
         * against the bytes the engine computed. Known checksums are kept (the hash left no tier since).
         */
        private void recordChecksums(List<Request> moving, List<ImmutableBlock> sources) {
            if (edge.sourceLayout().isEmpty()) {
                return;
            }
            PhysicalLayout layout = edge.sourceLayout().get();
            for (int i = 0; i < moving.size(); i++) {
                checksums.record(moving.get(i).hash(), layout, sources.get(i).blockId());
            }
        }

        /** False (counted) when the target holds {@code r} already or the edge's filter turns it away. */
        private boolean admitted(Request r) {
            if (edge.targetPool().contains(r.hash())) {
                skippedPresent.increment();
                return false;
            }
            if (edge.filter().isPresent() && !edge.filter().get().shouldOffload(r.hash())) {
                skippedFiltered.increment();
                return false;
            }
            return true;
        }

        /** Pins {@code r}'s source and takes a target block for it; false (counted) when either is missing. */
        private boolean select(Request r, List<Request> moving, List<ImmutableBlock> sources,
                               List<MutableBlock> targets) {
            List<ImmutableBlock> src = edge.sourcePool().pin(r.hash()).stream().toList();
            if (src.isEmpty()) {
                skippedSourceGone.increment();
                return false;
            }
            List<MutableBlock> dst;
            try {
                dst = edge.targetPool().allocate(1);
            } catch (KvbmException e) {
                src.forEach(ImmutableBlock::close);
                if (e.code() != ErrorCode.NOT_ENOUGH_BLOCKS) {
                    throw e;
                }
                skippedTargetFull.increment();
                return false;
            }
            moving.add(r);
            sources.add(src.getFirst());
            targets.add(dst.getFirst());
            return true;
        }

        private void finish(Batch b) {
            List<Request> moving = b.moving;
            List<MutableBlock> targets = b.targets;
            Throwable err = b.failure;
            try {
                if (err != null) {
                    failedBlocks.add(moving.size());
                    if (health.failure(edge.targetTier())) {
                        LOG.log(Level.WARNING, edge.targetTier() + " is degraded after repeated failed transfers; "
                                + "offloads to it are skipped until it is probed again");
                    }
                    LOG.log(Level.WARNING, "offload " + edge.stats().path() + " of " + moving.size()
                            + " block(s) failed; targets not registered: " + err);
                    targets.forEach(MutableBlock::close);
                    return;
                }
                health.success(edge.targetTier());
                for (int i = 0; i < moving.size(); i++) {
                    Request r = moving.get(i);
                    int block = targets.get(i).blockId();
                    edge.targetLayout().ifPresent(layout -> checksums.record(r.hash(), layout, block));
                    targets.get(i).complete(r.hash(), r.parent()).priority(r.priority());
                }
                edge.targetPool().register(targets).forEach(ImmutableBlock::close);
            } catch (RuntimeException e) {
                failedBlocks.add(moving.size());
                LOG.log(Level.ERROR, "registering offloaded blocks on " + edge.stats().path() + " failed", e);
                targets.forEach(MutableBlock::close);
            } finally {
                b.sources.forEach(ImmutableBlock::close);
                b.parents.forEach(ImmutableBlock::close);
                settle(moving.size()); // last: awaitIdle() returns only once all of this is done
            }
        }
    }
}
