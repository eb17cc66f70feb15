package dev.kvbm.core.offload;

import dev.kvbm.api.KvbmException;
import dev.kvbm.api.Tier;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Whether each tier is fit for transfers. After {@code failureThreshold} consecutive failed transfers to or
 * from a tier it is <em>degraded</em>: offloads to it are skipped and prefix matching passes it by, so the
 * manager goes on with the other tiers. When {@code coolDown} has passed the tier is tried again: the next
 * transfer is the probe; success restores it, failure degrades it for another cool-down.
 */
public final class TierHealth {
    public static final int DEFAULT_FAILURE_THRESHOLD = 3;
    public static final Duration DEFAULT_COOL_DOWN = Duration.ofSeconds(30);

    /** A tier's state for reports. */
    public record State(boolean degraded, int consecutiveFailures, long degradations, long restorations) {
    }

    private final int threshold;
    private final long coolDownNanos;
    private final LongSupplier clock;
    private final Map<Tier, Entry> entries = new EnumMap<>(Tier.class);

    private static final class Entry {
        int consecutive;
        boolean degraded;
        long degradedUntil;
        long degradations;
        long restorations;
    }

    public TierHealth(int failureThreshold, Duration coolDown, LongSupplier nanoClock) {
        if (failureThreshold < 1) {
            throw KvbmException.invalid("failureThreshold", failureThreshold, ">= 1");
        }
        if (coolDown == null || coolDown.isNegative()) {
            throw KvbmException.invalid("coolDown", coolDown, "a duration >= 0");
        }
        this.threshold = failureThreshold;
        this.coolDownNanos = coolDown.toNanos();
        this.clock = nanoClock;
    }

    /** False while {@code tier} is degraded and its cool-down runs; true again when it may be probed. */
    public synchronized boolean usable(Tier tier) {
        Entry e = entries.get(tier);
        return e == null || !e.degraded || clock.getAsLong() - e.degradedUntil >= 0;
    }

    /** A transfer to or from {@code tier} succeeded: a degraded tier on probation is restored. */
    public synchronized void success(Tier tier) {
        Entry e = entries.computeIfAbsent(tier, t -> new Entry());
        e.consecutive = 0;
        if (e.degraded) {
            e.degraded = false;
            e.restorations++;
        }
    }

    /** A transfer to or from {@code tier} failed; returns true when this failure degraded it. */
    public synchronized boolean failure(Tier tier) {
        Entry e = entries.computeIfAbsent(tier, t -> new Entry());
        e.consecutive++;
        long now = clock.getAsLong();
        boolean probeFailed = e.degraded && now - e.degradedUntil >= 0;
        if ((!e.degraded && e.consecutive >= threshold) || probeFailed) {
            e.degraded = true;
            e.degradedUntil = now + coolDownNanos;
            e.degradations++;
            return true;
        }
        return false;
    }

    public synchronized State state(Tier tier) {
        Entry e = entries.get(tier);
        return e == null ? new State(false, 0, 0, 0) : new State(e.degraded, e.consecutive, e.degradations,
                e.restorations);
    }
}
