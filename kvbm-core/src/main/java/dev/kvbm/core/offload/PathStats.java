package dev.kvbm.core.offload;

/**
 * Blocks and bytes moved on one path (for example {@code G1->G2}), failures, and the wall time during
 * which at least one transfer on the path was running, so GB/s stays right when transfers overlap.
 */
public final class PathStats {
    private final String path;
    private long blocks;
    private long bytes;
    private long transfers;
    private long failures;
    private long busyNanos;
    private int running;
    private long busySince;
    private volatile Observer observer;

    /** Told of every finished transfer (metrics histograms); called outside the statistics' lock. */
    public interface Observer {
        void transferred(String path, long nanos, int blocks, long bytes, boolean ok);
    }

    public PathStats(String path) {
        this.path = path;
    }

    public String path() {
        return path;
    }

    /** Marks a transfer as started; returns its start time. */
    public synchronized long begin() {
        long now = System.nanoTime();
        if (running++ == 0) {
            busySince = now;
        }
        return now;
    }

    /** Marks the transfer that {@link #begin()} returned {@code startedAt} for as finished. */
    public void end(long startedAt, int blockCount, long byteCount, boolean ok) {
        long now = System.nanoTime();
        synchronized (this) {
            if (--running == 0) {
                busyNanos += now - busySince;
            }
            transfers++;
            if (ok) {
                blocks += blockCount;
                bytes += byteCount;
            } else {
                failures++;
            }
        }
        Observer o = observer;
        if (o != null) {
            o.transferred(path, now - startedAt, blockCount, byteCount, ok);
        }
    }

    /** Sets the observer of finished transfers (null: none). */
    public void observe(Observer o) {
        this.observer = o;
    }

    public synchronized long blocks() {
        return blocks;
    }

    public synchronized long bytes() {
        return bytes;
    }

    public synchronized long transfers() {
        return transfers;
    }

    public synchronized long failures() {
        return failures;
    }

    public synchronized long busyNanos() {
        return busyNanos;
    }

    /** Bytes per busy second, in GB/s (1e9 bytes); 0 before anything moved. */
    public synchronized double gbps() {
        return busyNanos == 0 ? 0 : bytes / (double) busyNanos;
    }

    @Override
    public synchronized String toString() {
        return String.format("%s: %d blocks, %d bytes, %.2f GB/s, %d failed", path, blocks, bytes, gbps(), failures);
    }
}
