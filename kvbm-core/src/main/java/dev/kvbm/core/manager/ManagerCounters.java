package dev.kvbm.core.manager;

import dev.kvbm.api.Tier;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of a manager that add up: every requested block is counted once, and each hit once, in the
 * tier it came from, so the hits of all tiers never exceed the requested blocks (the denominator Dynamo's
 * hit rates lack). Tokens are counted in whole blocks: {@code blocks x pageSize}.
 */
public final class ManagerCounters {
    private final int pageSize;
    private final LongAdder requestedBlocks = new LongAdder();
    private final Map<Tier, LongAdder> hitBlocks = new EnumMap<>(Tier.class);
    private final Map<Tier, LongAdder> checksumFailures = new EnumMap<>(Tier.class);

    ManagerCounters(int pageSize) {
        this.pageSize = pageSize;
        for (Tier t : Tier.values()) {
            hitBlocks.put(t, new LongAdder());
            checksumFailures.put(t, new LongAdder());
        }
    }

    void requested(int blocks) {
        requestedBlocks.add(blocks);
    }

    void hit(Tier tier, int blocks) {
        hitBlocks.get(tier).add(blocks);
    }

    void checksumFailure(Tier tier) {
        checksumFailures.get(tier).increment();
    }

    public int pageSize() {
        return pageSize;
    }

    /** Blocks asked for by every request so far. */
    public long requestedBlocks() {
        return requestedBlocks.sum();
    }

    public long requestedTokens() {
        return requestedBlocks() * pageSize;
    }

    /** Blocks served from {@code tier}: G1 hits, or blocks onboarded from a lower tier. */
    public long hitBlocks(Tier tier) {
        return hitBlocks.get(tier).sum();
    }

    public long hitTokens(Tier tier) {
        return hitBlocks(tier) * pageSize;
    }

    /** Hits over every tier. */
    public long hitBlocks() {
        return hitBlocks.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** Blocks onboarded from {@code tier} whose bytes failed their checksum. */
    public long checksumFailures(Tier tier) {
        return checksumFailures.get(tier).sum();
    }
}
