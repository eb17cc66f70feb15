package dev.kvbm.core.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kvbm.api.KvbmException;
import dev.kvbm.api.Tier;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.core.integrity.IntegrityMode;
import dev.kvbm.core.manager.KvBlockManager;
import dev.kvbm.core.testing.TestProviders;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ReplayerTest {
    static final LayoutConfig SMALL = new LayoutConfig(1, 1, 2, 4, 4, 1, 2); // 64-byte blocks

    static KvBlockManager manager(int g1, int g2) {
        return KvBlockManager.builder().geometry(SMALL)
                .providers(TestProviders.registry(new TestProviders.CopyEngineProvider()))
                .integrity(IntegrityMode.ALWAYS).tierBlocks(Tier.G1, g1).tierBlocks(Tier.G2, g2).build();
    }

    @ParameterizedTest(name = "G1={0} G2={1} seed={2}")
    @CsvSource({"40, 0, 1", "40, 120, 2", "64, 300, 3", "30, 60, 4", "28, 40, 5", "50, 80, 6", "100, 500, 7", "25, 25, 8", "30, 200, 9"})
    void hitCountsMatchAnIndependentModel(int g1, int g2, long seed) {
        List<TraceRequest> trace = WorkloadGenerator.generate(new WorkloadGenerator.Shape(12, 6, 3, 3, 4), seed, 16);
        ReferenceCache model = new ReferenceCache(g1, g2);
        trace.forEach(r -> model.request(r.hashIds()));
        try (KvBlockManager m = manager(g1, g2)) {
            ReplayReport report = Replayer.run(m, trace, null);
            assertEquals(model.hitsG1, report.hits().get(Tier.G1), "G1 hits");
            assertEquals(model.hitsG2, report.hits().getOrDefault(Tier.G2, 0L), "G2 hits");
            assertEquals(0, report.checksumFailures());
            assertTrue(report.totalHits() > 0, "the workload reuses prefixes");
            assertTrue(report.totalHits() <= report.maxHits());
            long blocks = trace.stream().mapToLong(TraceRequest::blocks).sum();
            assertEquals(blocks, report.blocks());
            if (g2 > 0) {
                assertEquals(model.hitsG2, report.pathBlocks().get("G2->G1"));
            }
        }
    }

    @Test
    void unboundedHitsFollowThePrefixRule() {
        List<TraceRequest> trace = List.of(
                new TraceRequest(0, 0, 0, new long[] {1, 2, 3}),
                new TraceRequest(1, 0, 0, new long[] {1, 2, 4}),
                new TraceRequest(2, 0, 0, new long[] {5, 2, 3}),
                new TraceRequest(3, 0, 0, new long[] {1, 2, 4, 6}));
        assertEquals(2 + 0 + 3, Replayer.unboundedHits(trace));
    }

    @Test
    void aG1SmallerThanTheLongestRequestIsRefusedNamingBothNumbers() {
        List<TraceRequest> trace = List.of(new TraceRequest(0, 0, 0, new long[] {1, 2, 3, 4, 5}));
        KvbmException e = assertThrows(KvbmException.class, () -> Replayer.checkG1(trace, 4));
        assertEquals("G1 has 4 blocks but the longest request needs 5; give G1 at least 5 blocks", e.getMessage());
    }

    @Test
    void mooncakeTraceWithG1AloneReachesAboutHalfOfTheUnboundedHitRate() {
        Path trace = Path.of("..", "..", "shared", "traces", "mooncake_synthetic_trace.jsonl");
        assumeTrue(Files.isReadable(trace), "../shared/traces/mooncake_synthetic_trace.jsonl is not present");
        List<TraceRequest> requests = MooncakeTrace.read(trace, 0);
        assertEquals(3993, requests.size());
        ReferenceCache model = new ReferenceCache(5859, 0);
        requests.forEach(r -> model.request(r.hashIds()));
        try (KvBlockManager m = manager(5859, 0)) {
            ReplayReport report = Replayer.run(m, requests, null);
            double ofUnbounded = report.hitRate() / report.maxHitRate();
            // Mooncake FAST'25, Figure 9: LRU with a 3M-token cache reaches about 48% of the unbounded hit rate.
            assertTrue(ofUnbounded > 0.45 && ofUnbounded < 0.51, "LRU reached " + ofUnbounded + " of unbounded");
            assertEquals(model.hitsG1, report.hits().get(Tier.G1));
            assertEquals(121_877, report.blocks());
        }
    }
}
