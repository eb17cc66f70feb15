package dev.kvbm.core.offload;

import dev.kvbm.api.KvbmException;
import dev.kvbm.api.config.ConfigKeys;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Dynamo's G2 -> G3 admission filter: each sighting of a sequence hash sets its count to 1 (new) or
 * doubles it; the block is admitted when the count reaches {@code minFrequency}. Every
 * {@code flushInterval} all counts drop by one (those reaching 0 are forgotten), and when more than
 * {@code maxEntries} are tracked the decay repeats until they fit. With Dynamo's parameters (2, 600 s,
 * 1,000,000) a block reaches disk on its second offload, which spares the SSD blocks seen once.
 *
 * <p>Dynamo decays on a timer task; here the decay runs lazily on the next call, which gives the same
 * counts without a thread.
 */
public final class FrequencyFilter {
    public static final long DEFAULT_MIN_FREQUENCY = 2;
    public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofSeconds(600);
    public static final int DEFAULT_MAX_ENTRIES = 1_000_000;

    private final long minFrequency;
    private final long intervalNanos;
    private final int maxEntries;
    private final LongSupplier clock;
    private final Map<Long, Long> counts = new HashMap<>();
    private long nextDecay;

    public FrequencyFilter(long minFrequency, Duration flushInterval, int maxEntries, LongSupplier nanoClock) {
        if (minFrequency < 1) {
            throw KvbmException.invalid("minFrequency", minFrequency, ">= 1");
        }
        if (flushInterval == null || flushInterval.isNegative() || flushInterval.isZero()) {
            throw KvbmException.invalid("flushInterval", flushInterval, "a positive duration");
        }
        if (maxEntries < 1) {
            throw KvbmException.invalid("maxEntries", maxEntries, ">= 1");
        }
        this.minFrequency = minFrequency;
        this.intervalNanos = flushInterval.toNanos();
        this.maxEntries = maxEntries;
        this.clock = nanoClock;
        this.nextDecay = clock.getAsLong() + intervalNanos;
    }

    /** Dynamo's production parameters on the system clock. */
    public static FrequencyFilter dynamoDefaults() {
        return new FrequencyFilter(DEFAULT_MIN_FREQUENCY, DEFAULT_FLUSH_INTERVAL, DEFAULT_MAX_ENTRIES, System::nanoTime);
    }

    /** True unless {@code DYN_KVBM_DISABLE_DISK_OFFLOAD_FILTER} is {@code true} or {@code 1} (Dynamo's rule). */
    public static boolean enabledByEnvironment() {
        String v = System.getenv(ConfigKeys.DISABLE_DISK_OFFLOAD_FILTER);
        return v == null || !(v.trim().equalsIgnoreCase("true") || v.trim().equals("1"));
    }

    /** Records a sighting of {@code sequenceHash}; true when the block may be offloaded now. */
    public synchronized boolean shouldOffload(long sequenceHash) {
        long now = clock.getAsLong();
        while (now - nextDecay >= 0) {
            decay();
            nextDecay += intervalNanos;
        }
        long count = counts.merge(sequenceHash, 1L, (old, one) -> old > Long.MAX_VALUE / 2 ? Long.MAX_VALUE : old * 2);
        if (counts.size() > maxEntries) {
            while (counts.size() > maxEntries) {
                decay();
            }
            nextDecay = now + intervalNanos;
        }
        return count >= minFrequency;
    }

    /** Hashes tracked now. */
    public synchronized int size() {
        return counts.size();
    }

    /** The current count of {@code sequenceHash} (0 when untracked). */
    public synchronized long count(long sequenceHash) {
        return counts.getOrDefault(sequenceHash, 0L);
    }

    private void decay() {
        for (Iterator<Map.Entry<Long, Long>> it = counts.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, Long> e = it.next();
            if (e.getValue() <= 1) {
                it.remove();
            } else {
                e.setValue(e.getValue() - 1);
            }
        }
    }
}
