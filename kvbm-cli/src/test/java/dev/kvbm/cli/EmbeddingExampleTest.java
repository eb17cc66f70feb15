package dev.kvbm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kvbm.api.Tier;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.spi.PhysicalLayout;
import dev.kvbm.core.integrity.BlockBytes;
import dev.kvbm.core.manager.KvBlockManager;
import dev.kvbm.core.manager.PreparedRequest;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/**
 * The README's example of an engine embedding {@link KvBlockManager}, compiled and run by the build so it cannot
 * rot: the code between the {@code embed} markers is what the README shows.
 */
class EmbeddingExampleTest {

    /** Stands in for the engine's attention kernels: writes a block's KV (here a pattern per token). */
    static void computeKv(MemorySegment page, int token) {
        page.fill((byte) token);
    }

    @Test
    void anEngineReusesThePrefixItSawBefore() {
        int[] prompt = new int[64];
        for (int i = 0; i < prompt.length; i++) {
            prompt[i] = 1000 + i;
        }
        int reusedSecondTime = -1;
        // tag::embed[]
        // A model with 8 layers, K and V, 16 tokens per block, 8 heads x 128 dims of 2-byte elements.
        LayoutConfig geometry = new LayoutConfig(1, 8, 2, 16, 8 * 128, LayoutConfig.DEFAULT_ALIGNMENT, 2);
        try (KvBlockManager kvbm = KvBlockManager.builder().geometry(geometry)
                .tierBlocks(Tier.G1, 256)            // 64 MiB of "device" memory (host memory without a GPU)
                .tierBlocks(Tier.G2, 1024)           // 256 MiB of pinned host memory below it
                .build()) {
            PhysicalLayout g1 = kvbm.tier(Tier.G1).layout().orElseThrow();
            for (int turn = 0; turn < 2; turn++) {
                // Match the prompt's blocks across G1/G2/G3, onboard the hits into G1, allocate G1 for the rest.
                try (PreparedRequest request = kvbm.prepare(prompt, 16, 0L)) {
                    for (int i = 0; i < request.length(); i++) {
                        if (request.isFresh(i)) {                   // not cached: the engine computes its KV
                            for (MemorySegment page : BlockBytes.segments(g1, request.g1BlockId(i))) {
                                computeKv(page, prompt[i * 16]);
                            }
                        }
                    }
                    kvbm.commit(request);                           // register: reusable, offloaded to G2
                    reusedSecondTime = request.cachedPrefix();      // blocks served from kvbm, not computed
                }
            }
        }
        // end::embed[]
        assertEquals(4, reusedSecondTime, "the second turn reused all 4 blocks of the first");
    }
}
