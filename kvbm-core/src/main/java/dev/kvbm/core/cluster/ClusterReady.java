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
}
