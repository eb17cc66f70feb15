package dev.kvbm.tier.s3.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.Tier;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.spi.BlockNamespace;
import dev.kvbm.api.spi.RemoteStoreConfig;
import dev.kvbm.core.manager.KvBlockManager;
import dev.kvbm.core.providers.ProviderRegistry;
import dev.kvbm.core.remote.RemoteTierConfig;
import dev.kvbm.core.replay.ReplayReport;
import dev.kvbm.core.replay.Replayer;
import dev.kvbm.core.replay.TraceRequest;
import dev.kvbm.core.replay.WorkloadGenerator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Two managers sharing one bucket: the second finds every block of a trace the first replayed. */
class SharedS3Test {
    static final LayoutConfig GEOMETRY = new LayoutConfig(1, 2, 2, 16, 128, 1, 2); // 16 KiB blocks
    static final String MODEL = "s3-test-model@1";

    static KvBlockManager manager(S3ProxyServer server, ProviderRegistry registry) {
        RemoteTierConfig config = RemoteTierConfig.of(server.uri(), MODEL).withWaitWhenFull(true);
        BlockNamespace ns = BlockNamespace.of(config.prefix(), MODEL, GEOMETRY, 0);
        // Credentials go to the store from the test's environment map, as DYN_KVBM_OBJECT_* would.
        S3BlockStore store = new S3BlockStore(S3Endpoint.parse(server.uri(), 0, server.env()),
                new RemoteStoreConfig(server.uri(), ns));
        return KvBlockManager.builder().geometry(GEOMETRY).providers(registry).tierProvider(Tier.G1, "host-system")
                .tierBlocks(Tier.G1, 40).remote(store, config).build();
    }

    @Test
    void aReplayFromAFreshManagerHitsEveryBlockThroughS3() throws Exception {
        ProviderRegistry registry = ProviderRegistry.load();
        List<TraceRequest> trace = WorkloadGenerator.generate(new WorkloadGenerator.Shape(6, 4, 2, 3, 4), 61, 16);
        try (S3ProxyServer server = new S3ProxyServer()) {
            try (KvBlockManager a = manager(server, registry)) {
                Replayer.run(a, trace, null);
                assertEquals(trace.stream().flatMapToLong(r -> java.util.Arrays.stream(r.hashIds())).distinct().count(),
                        a.remote().orElseThrow().storeStats().puts(), "every block reached S3 once");
            }
            try (KvBlockManager b = manager(server, registry)) {
                ReplayReport r = Replayer.run(b, trace, null);
                assertEquals(r.blocks(), r.totalHits(), "hits = blocks");
                assertTrue(r.hits().get(Tier.G4) > 0);
                assertEquals(0, r.checksumFailures());
            }
        }
    }
}
