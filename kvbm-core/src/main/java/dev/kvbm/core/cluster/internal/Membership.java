package dev.kvbm.core.cluster.internal;

import dev.kvbm.api.spi.LeaderTransport;
import dev.kvbm.core.cluster.ClusterReady;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Which workers a ready leader serves: after the first handshake it pings them every interval; two silent
 * rounds in a row mark a worker lost (the leader is unready and in-flight transfers fail), and the handshake
 * runs again until the workers are complete. A worker on a new connection is a new member: the epoch grows,
 * so blocks written before are no longer served. Its threads start in {@link #joined} and are joined in
 * {@link #close}.
 */
public final class Membership implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Membership.class.getName());

    private final LeaderTransport transport;
    private final Handshake handshake;
    private final Duration pingInterval;
    private final BooleanSupplier closed;
    private final Consumer<String> lost;
    private final ScheduledExecutorService pinger = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("kvbm-leader-ping").unstarted(r));
    private volatile ClusterReady ready;
    private volatile boolean isReady;
    private volatile String notReadyReason = "handshake in progress";
    private volatile int epoch = 1;
    private volatile Set<String> members = Set.of();
    private boolean rejoining;
    private int failedPings;
    private Thread rejoiner;

    /**
     * @param lost told why, when a worker was lost (fails the transfers in flight)
     */
    public Membership(LeaderTransport transport, Handshake handshake, Duration pingInterval, BooleanSupplier closed,
                      Consumer<String> lost) {
        this.transport = transport;
        this.handshake = handshake;
        this.pingInterval = pingInterval;
        this.closed = closed;
        this.lost = lost;
    }

    /** The first handshake succeeded: transfers are served and the ping loop starts. */
    public synchronized void joined(Handshake.Result first) {
        ready = first.ready();
        members = first.members();
        isReady = true;
        pinger.scheduleWithFixedDelay(this::checkAlive, pingInterval.toMillis(), pingInterval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The first handshake failed. */
    public void failed(String reason) {
        notReadyReason = reason;
    }

    public boolean isReady() {
        return isReady;
    }

    public String notReadyReason() {
        return notReadyReason;
    }

    /** Increases each time the set of workers changed (a worker restarted or reconnected). */
    public int epoch() {
        return epoch;
    }

    /** The first handshake's result, or null before it. */
    public ClusterReady ready() {
        return ready;
    }

    private void checkAlive() {
        if (!isReady || closed.getAsBoolean()) {
            return;
        }
        String failure;
        try {
            transport.broadcast("ping", List.of(), pingInterval.plus(Handshake.PING_ROUND)).join();
            failedPings = 0;
            return;
        } catch (CompletionException e) {
            failure = "ping: " + e.getCause().getMessage();
        } catch (RuntimeException e) {
            failure = "ping: " + e.getMessage();
        }
        // Two silent rounds in a row: one late ping on a loaded machine is not a dead worker.
        if (++failedPings >= 2) {
            failedPings = 0;
            workerLost(failure);
        } else {
            LOG.log(System.Logger.Level.DEBUG, failure);
        }
    }

    private void workerLost(String reason) {
        synchronized (this) {
            if (!isReady || closed.getAsBoolean()) {
                return;
            }
            isReady = false;
            notReadyReason = "a worker was lost (" + reason + "); waiting for it to rejoin";
            if (rejoining) {
                return;
            }
            rejoining = true;
        }
        LOG.log(System.Logger.Level.WARNING, notReadyReason);
        lost.accept(notReadyReason);
        synchronized (this) {
            if (!closed.getAsBoolean()) {
                rejoiner = Thread.ofPlatform().daemon().name("kvbm-leader-rejoin").start(this::rejoin);
            }
        }
    }

    private void rejoin() {
        while (!closed.getAsBoolean()) {
            try {
                Handshake.Result again = handshake.run();
                ClusterReady r = again.ready();
                if (r.numDeviceBlocks() != ready.numDeviceBlocks() || r.bytesPerBlock() != ready.bytesPerBlock()) {
                    LOG.log(System.Logger.Level.ERROR, "the workers rejoined with a different geometry (" + r
                            + " instead of " + ready + "); the leader stays unavailable");
                    notReadyReason = "workers rejoined with a different geometry";
                    synchronized (this) {
                        rejoining = false;
                    }
                    return;
                }
                boolean same = again.members().equals(members);
                synchronized (this) {
                    if (!same) {
                        // A worker on a new connection is a restarted one (or one that reconnected): it may hold
                        // none of the blocks written so far, so they are no longer served.
                        epoch++;
                        members = again.members();
                    }
                    rejoining = false;
                    isReady = true;
                }
                LOG.log(System.Logger.Level.WARNING, same ? "all workers answered again on their old connections; "
                        + "their blocks are kept" : "all workers are back (epoch " + epoch + "); G2/G3 blocks written "
                        + "before are no longer served");
                return;
            } catch (RuntimeException e) {
                if (!closed.getAsBoolean()) {
                    LOG.log(System.Logger.Level.WARNING, "rejoin handshake failed, retrying: " + e.getMessage());
                }
            }
        }
    }

    /** Stops pinging and waits for the ping loop and a running rejoin to end (call once the transport is closing). */
    @Override
    public void close() {
        isReady = false;
        pinger.shutdownNow();
        Thread t;
        synchronized (this) {
            t = rejoiner;
        }
        try {
            pinger.awaitTermination(5, TimeUnit.SECONDS);
            if (t != null) {
                t.join(5000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether every thread this started has ended (for tests of close). */
    public boolean terminated() {
        Thread t;
        synchronized (this) {
            t = rejoiner;
        }
        return pinger.isTerminated() && (t == null || !t.isAlive());
    }
}
