package dev.kvbm.cli.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.Tier;
import dev.kvbm.api.config.EnvironmentVariables;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.cli.EventReplayClient;
import dev.kvbm.core.manager.KvBlockManager;
import dev.kvbm.core.manager.PreparedRequest;
import dev.kvbm.core.providers.ProviderRegistry;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a leader's services attach: its KV events carry its data-parallel rank. */
class ReplayServicesTest {

    static String endpoint() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return "tcp://127.0.0.1:" + s.getLocalPort();
        }
    }

    @Test
    void aLeadersEventsCarryItsDataParallelRank() throws Exception {
        ServiceOptions.Events events = new ServiceOptions.Events();
        events.endpoint = endpoint();
        events.replay = endpoint();
        ReplayServices services = ReplayServices.check("kvbm leader", new ServiceOptions.G4(), events,
                new ServiceOptions.Metrics(), null, EnvironmentVariables.of(Map.of()));
        assertTrue(services.requested());
        assertFalse(services.g4("m").isPresent());
        LayoutConfig geometry = new LayoutConfig(1, 1, 1, 4, 8, LayoutConfig.DEFAULT_ALIGNMENT, 2);
        KvBlockManager.Builder builder = KvBlockManager.builder().geometry(geometry).tierBlocks(Tier.G1, 8)
                .tierBlocks(Tier.G2, 16).tierProvider(Tier.G1, "host-system").tierProvider(Tier.G2, "host-system");
        try (services) {
            services.attach(builder, ProviderRegistry.load(), "m", 3);
            try (KvBlockManager m = builder.build()) {
                try (PreparedRequest p = m.prepare(new int[] {1, 2, 3, 4, 5, 6, 7, 8}, 4, 0)) {
                    m.commit(p);
                }
                m.awaitOffloads();
                services.flushEvents();
                List<byte[]> batches = EventReplayClient.replayed(events.replay);
                assertFalse(batches.isEmpty());
                for (byte[] b : batches) {
                    assertEquals(3, EventReplayClient.rank(b), "the leader's --dp-rank");
                }
            }
        }
    }
}
