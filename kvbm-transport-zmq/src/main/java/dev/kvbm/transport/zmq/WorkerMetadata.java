package dev.kvbm.transport.zmq;

import java.io.ByteArrayOutputStream;

/**
 * What a worker tells the leader in the handshake: Dynamo's {@code WorkerMetadata { num_device_blocks:
 * usize, bytes_per_block: usize }}, in bincode 2 standard encoding. Values are unsigned.
 */
public record WorkerMetadata(long numDeviceBlocks, long bytesPerBlock) {

    public byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(18);
        Bincode.writeVarint(out, numDeviceBlocks);
        Bincode.writeVarint(out, bytesPerBlock);
        return out.toByteArray();
    }

    /** Decodes the payload; fails with {@code PROTOCOL_ERROR} naming the field that is bad. */
    public static WorkerMetadata decode(byte[] payload) {
        Bincode.Reader r = new Bincode.Reader(payload);
        WorkerMetadata m = new WorkerMetadata(r.varint("num_device_blocks"), r.varint("bytes_per_block"));
        r.end("worker_metadata");
        return m;
    }
}
