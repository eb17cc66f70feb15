package dev.kvbm.core.internal.offload;

import dev.kvbm.core.offload.FrequencyFilter;
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
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Write-through offload from one tier to the next: every block newly registered in the source pool is
 * queued (higher priority first, then first come first served), copied in batches with a bounded
 * number of transfers in flight, and registered in the target pool, which queues it for the tier
 * after that. A block the target already holds is skipped; when the target has no block to give, the
 * offload is skipped and counted. A failed copy never registers its target block.
 *
 * <p>Batches are registered in the order they were queued even when their copies finish out of order,
 * so the target's recency follows the source's registration order.
 */
public final class OffloadManager implements OffloadCounters, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(OffloadManager.class.getName());

    /**
     * One source-to-target edge.
     *
     * @param targetLayout the target's bytes when this process holds them (checksums are taken there)
     * @param blockBytes   bytes of one block, for the statistics
     * @param filter       admission filter of the edge (Dynamo's G2 -> G3 frequency filter), or empty
     */
    public record Edge(Tier sourceTier, BlockPool sourcePool, Tier targetTier, BlockPool targetPool,
                       Optional<PhysicalLayout> targetLayout, BlockMover mover, PathStats stats, long blockBytes,
                       Optional<FrequencyFilter> filter) {
        public Edge(Tier sourceTier, BlockPool sourcePool, Tier targetTier, BlockPool targetPool,
                    Optional<PhysicalLayout> targetLayout, BlockMover mover, PathStats stats, long blockBytes) {
            this(sourceTier, sourcePool, targetTier, targetPool, targetLayout, mover, stats, blockBytes, Optional.empty());
        }
    }

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
    private final AtomicBoolean closed = new AtomicBoolean();

    public OffloadManager(List<Edge> edges, BlockChecksums checksums, int batchSize, int maxInFlight) {
        this(edges, checksums, batchSize, maxInFlight, new TierHealth(TierHealth.DEFAULT_FAILURE_THRESHOLD,
                TierHealth.DEFAULT_COOL_DOWN, System::nanoTime));
    }

    /** {@code health} is shared with the manager: failed offloads degrade their target tier. */
    public OffloadManager(List<Edge> edges, BlockChecksums checksums, int batchSize, int maxInFlight,
                          TierHealth health) {
        this.health = java.util.Objects.requireNonNull(health, "health");
        if (batchSize < 1) {
            throw KvbmException.invalid("batchSize", batchSize, ">= 1");
        }
        if (maxInFlight < 1) {
            throw KvbmException.invalid("maxInFlight", maxInFlight, ">= 1");
        }
        this.checksums = checksums;
        this.batchSize = batchSize;
        this.maxInFlight = maxInFlight;
        for (Edge e : edges) {
            Lane lane = new Lane(e);
            lanes.add(lane);
            e.sourcePool().addListener(new BlockPool.Listener() {
                @Override
                public void registered(BlockPool pool, long sequenceHash, OptionalLong parent, int blockId, int priority) {
                    lane.enqueue(new Request(sequenceHash, parent, priority, lane.sequence.getAndIncrement()));
                }
            });
            Thread t = Thread.ofPlatform().daemon().name("kvbm-offload-" + e.stats().path()).unstarted(lane);
            lane.thread = t;
            t.start();
        }
    }

    /** Waits until no offload is queued or running on any edge (a cascade to the next tier included). */
    public void awaitIdle() {
        while (true) {
            boolean idle = true;
            for (Lane lane : lanes) {
                while (lane.pending.get() > 0) {
                    idle = false;
                    LockSupport.parkNanos(20_000);
                }
            }
            if (idle) {
                return;
            }
        }
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
    public void close() {
        if (closed.compareAndSet(false, true)) {
            for (Lane lane : lanes) {
                lane.thread.interrupt();
            }
            for (Lane lane : lanes) {
                try {
                    lane.thread.join(TimeUnit.SECONDS.toMillis(10));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private record Request(long hash, OptionalLong parent, int priority, long sequence) implements Comparable<Request> {
        @Override
        public int compareTo(Request o) {
            int c = Integer.compare(o.priority, priority); // higher priority first
            return c != 0 ? c : Long.compare(sequence, o.sequence);
        }
    }

    private final class Lane implements Runnable {
        final Edge edge;
        final PriorityBlockingQueue<Request> queue = new PriorityBlockingQueue<>();
        final AtomicLong sequence = new AtomicLong();
        /** Queued plus in-flight requests. */
        final java.util.concurrent.atomic.AtomicInteger pending = new java.util.concurrent.atomic.AtomicInteger();
        final Semaphore slots = new Semaphore(maxInFlight);
        CompletableFuture<Void> registrationChain = CompletableFuture.completedFuture(null);
        Thread thread;

        Lane(Edge edge) {
            this.edge = edge;
        }

        void enqueue(Request r) {
            if (closed.get()) {
                return;
            }
            pending.incrementAndGet();
            queue.add(r);
        }

        @Override
        public void run() {
            List<Request> batch = new ArrayList<>(batchSize);
            while (!closed.get()) {
                try {
                    Request first = queue.poll(100, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        continue;
                    }
                    batch.clear();
                    batch.add(first);
                    queue.drainTo(batch, batchSize - 1);
                    process(batch);
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    // A bug in one batch must not stop the lane; the batch's requests are accounted for.
                    LOG.log(Level.ERROR, "offload " + edge.stats().path() + " failed unexpectedly", e);
                }
            }
        }

        private void process(List<Request> batch) throws InterruptedException {
            List<Request> moving = new ArrayList<>();
            List<ImmutableBlock> sources = new ArrayList<>();
            List<MutableBlock> targets = new ArrayList<>();
            // A parent already in the target is about to get a child there: evicting it now to make room
            // would orphan the child on arrival, so it is pinned (recency unchanged) until registration.
            List<ImmutableBlock> parents = new ArrayList<>();
            for (Request r : batch) {
                if (r.parent().isPresent()) {
                    edge.targetPool().pin(r.parent().getAsLong()).ifPresent(parents::add);
                }
            }
            if (!health.usable(edge.targetTier())) {
                skippedDegraded.add(batch.size());
                parents.forEach(ImmutableBlock::close);
                pending.addAndGet(-batch.size());
                return;
            }
            for (Request r : batch) {
                if (edge.targetPool().contains(r.hash())) {
                    skippedPresent.increment();
                    pending.decrementAndGet();
                    continue;
                }
                if (edge.filter().isPresent() && !edge.filter().get().shouldOffload(r.hash())) {
                    skippedFiltered.increment();
                    pending.decrementAndGet();
                    continue;
                }
                List<ImmutableBlock> src = edge.sourcePool().pin(r.hash()).stream().toList();
                if (src.isEmpty()) {
                    skippedSourceGone.increment();
                    pending.decrementAndGet();
                    continue;
                }
                List<MutableBlock> dst;
                try {
                    dst = edge.targetPool().allocate(1);
                } catch (KvbmException e) {
                    if (e.code() != ErrorCode.NOT_ENOUGH_BLOCKS) {
                        throw e;
                    }
                    skippedTargetFull.increment();
                    src.forEach(ImmutableBlock::close);
                    pending.decrementAndGet();
                    continue;
                }
                moving.add(r);
                sources.add(src.getFirst());
                targets.add(dst.getFirst());
            }
            if (moving.isEmpty()) {
                parents.forEach(ImmutableBlock::close);
                return;
            }
            List<BlockPair> pairs = new ArrayList<>(moving.size());
            for (int i = 0; i < moving.size(); i++) {
                pairs.add(new BlockPair(sources.get(i).blockId(), targets.get(i).blockId()));
            }
            slots.acquire();
            long bytes = (long) moving.size() * edge.blockBytes();
            long started = edge.stats().begin();
            CompletableFuture<Void> copied;
            try {
                copied = edge.mover().move(edge.sourceTier(), edge.targetTier(), pairs);
            } catch (RuntimeException e) {
                copied = CompletableFuture.failedFuture(e);
            }
            CompletableFuture<Throwable> outcome = copied.handle((v, err) -> {
                edge.stats().end(started, moving.size(), bytes, err == null);
                slots.release();
                return err;
            });
            // Register in queue order: batch N waits for batch N-1's registration and its own copy.
            registrationChain = registrationChain.thenCombine(outcome, (previous, err) -> {
                finish(moving, sources, targets, parents, err);
                return null;
            });
        }

        private void finish(List<Request> moving, List<ImmutableBlock> sources, List<MutableBlock> targets,
                            List<ImmutableBlock> parents, Throwable err) {
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
                sources.forEach(ImmutableBlock::close);
                parents.forEach(ImmutableBlock::close);
                pending.addAndGet(-moving.size()); // last: awaitIdle() returns only once all of this is done
            }
        }
    }
}
