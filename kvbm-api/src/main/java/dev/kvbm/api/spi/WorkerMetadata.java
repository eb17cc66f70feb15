package dev.kvbm.api.spi;

/**
 * What a worker tells the leader in the handshake (Dynamo's {@code WorkerMetadata}); values are unsigned.
 *
 * @param numDeviceBlocks the worker's G1 blocks
 * @param bytesPerBlock   bytes of one block of the worker's shard
 */
public record WorkerMetadata(long numDeviceBlocks, long bytesPerBlock) {
}
