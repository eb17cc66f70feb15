package dev.kvbm.tier.redis.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.Tier;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.core.manager.KvBlockManager;
import dev.kvbm.core.manager.PreparedRequest;
import dev.kvbm.core.providers.ProviderRegistry;
import dev.kvbm.core.remote.RemoteTierConfig;
import dev.kvbm.core.replay.Replayer;
import dev.kvbm.core.replay.TraceRequest;
import dev.kvbm.core.replay.WorkloadGenerator;
import java.net.URI;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A replay that checks the bytes of every block it is served (whatever tier it came from) against
 * what the computing manager wrote, and counts hits per tier.
 */
final class CheckedReplay {
    /** 64 KiB blocks: 4 layers, K and V, 16 tokens of 256 two-byte elements. */
    static final LayoutConfig GEOMETRY = new LayoutConfig(1, 4, 2, 16, 256, 1, 2);
    static final String MODEL = "redis-test-model@1";
    static final ProviderRegistry REGISTRY = ProviderRegistry.load();

    private CheckedReplay() {
    }

    static List<TraceRequest> trace(long seed) {
        return WorkloadGenerator.generate(new WorkloadGenerator.Shape(10, 5, 3, 3, 4), seed, 16);
    }

    static long distinctBlocks(List<TraceRequest> trace) {
        return trace.stream().flatMapToLong(r -> java.util.Arrays.stream(r.hashIds())).distinct().count();
    }

    /** A manager on host memory with G4 at {@code uri}; every block reaches G4 (the lane waits when full). */
    static KvBlockManager manager(String uri, int g1, int g2, dev.kvbm.core.offload.TierHealth health) {
        KvBlockManager.Builder b = KvBlockManager.builder().geometry(GEOMETRY).providers(REGISTRY)
                .tierProvider(Tier.G1, "host-system").tierBlocks(Tier.G1, g1).tierBlocks(Tier.G2, g2)
                .remote(RemoteTierConfig.of(URI.create(uri), MODEL).withWaitWhenFull(true)
                        .withTimeout(java.time.Duration.ofMillis(1500)));
        if (g2 > 0) {
            b.tierProvider(Tier.G2, "host-system");
        }
        return (health == null ? b : b.tierHealth(health)).build();
    }

    /** Hits per tier over the requests; fails on the first served block whose bytes are wrong. */
    static Map<Tier, Long> run(KvBlockManager m, List<TraceRequest> requests) {
        Map<Tier, Long> hits = new EnumMap<>(Tier.class);
        for (TraceRequest r : requests) {
            long[] ids = r.hashIds();
            try (PreparedRequest p = m.prepare(ids)) {
                for (int i = 0; i < ids.length; i++) {
                    if (p.isFresh(i)) {
                        Replayer.fillBlock(m.tier(Tier.G1).physical(), p.g1BlockId(i), ids[i]);
                    } else {
                        assertTrue(Replayer.holdsPattern(m.tier(Tier.G1).physical(), p.g1BlockId(i), ids[i]),
                                "served block " + ids[i] + " holds the bytes that were computed for it");
                    }
                }
                for (Tier t : Tier.values()) {
                    hits.merge(t, (long) p.hits(t), Long::sum);
                }
                m.commit(p);
            }
            m.awaitOffloads();
        }
        return hits;
    }
}
