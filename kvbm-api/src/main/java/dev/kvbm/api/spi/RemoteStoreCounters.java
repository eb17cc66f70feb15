package dev.kvbm.api.spi;

import java.util.concurrent.atomic.LongAdder;

/** The counters behind {@link RemoteBlockStore#stats()}, for store implementations; thread-safe. */
public final class RemoteStoreCounters {
    private final LongAdder puts = new LongAdder();
    private final LongAdder putsPresent = new LongAdder();
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder checksumFailures = new LongAdder();
    private final LongAdder errors = new LongAdder();

    /** A write stored the value ({@code written}) or found the key present. */
    public void put(boolean written) {
        (written ? puts : putsPresent).increment();
    }

    public void hit() {
        hits.increment();
    }

    public void miss() {
        misses.increment();
    }

    public void checksumFailure() {
        checksumFailures.increment();
    }

    public void error() {
        errors.increment();
    }

    public RemoteStoreStats snapshot() {
        return new RemoteStoreStats(puts.sum(), putsPresent.sum(), hits.sum(), misses.sum(), checksumFailures.sum(),
                errors.sum());
    }
}
