package dev.kvbm.core.cluster;

import java.time.Duration;

/**
 * What a leader's handshake established.
 *
 * @param numDeviceBlocks G1 blocks: the minimum over the workers
 * @param bytesPerBlock   bytes of one block: the sum over the workers' shards
 */
public record ClusterReady(long numDeviceBlocks, long bytesPerBlock, long numHostBlocks, long numDiskBlocks,
                           Duration handshakeTime) {
    /** For logs: what the handshake agreed, in words. */
    @Override
    public String toString() {
        return String.format("G1 %,d blocks, %,d bytes per block (all workers), G2 %,d blocks, G3 %,d blocks; handshake "
                + "%.0f ms", numDeviceBlocks, bytesPerBlock, numHostBlocks, numDiskBlocks, handshakeTime.toNanos() / 1e6);
    }
}
