package dev.kvbm.api.spi;

/** What the leader broadcasts once it knows every worker (Dynamo's {@code LeaderMetadata}); values are unsigned. */
public record LeaderMetadata(long numHostBlocks, long numDiskBlocks) {
}
