package dev.kvbm.api.spi;

import java.util.List;

/**
 * The wire format of the leader/worker protocol, supplied by the transport (kvbm-transport-zmq speaks
 * Dynamo's: bincode 2 metadata, JSON transfer requests and outcomes). The cluster logic in kvbm-core
 * builds and reads messages only through this, so it never depends on one transport's encoding.
 * Every {@code decode...} fails with {@code PROTOCOL_ERROR} naming the bad field.
 */
public interface ClusterCodec {

    byte[] encodeWorkerMetadata(WorkerMetadata metadata);

    WorkerMetadata decodeWorkerMetadata(byte[] payload);

    byte[] encodeLeaderMetadata(LeaderMetadata metadata);

    LeaderMetadata decodeLeaderMetadata(byte[] payload);

    byte[] encodeTransfer(TransferRequest request);

    TransferRequest decodeTransfer(byte[] payload);

    byte[] encodeOutcome(TransferOutcome outcome);

    TransferOutcome decodeOutcome(byte[] payload);

    /** The data frame of kvbm's check functions ({@code kvbm_fill}, {@code kvbm_checksums}). */
    byte[] encodeProbe(BlockProbe probe);

    /** Decodes a check function's data frame; {@code function} names it in errors. */
    BlockProbe decodeProbe(String function, byte[] payload);

    /** The answer to {@code kvbm_checksums}: one CRC32C per probed block. */
    byte[] encodeChecksums(List<Long> crc32c);

    List<Long> decodeChecksums(byte[] payload);
}
