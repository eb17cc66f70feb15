package dev.kvbm.transport.zmq;

import java.io.ByteArrayOutputStream;

/**
 * What the leader broadcasts once it knows every worker: Dynamo's {@code LeaderMetadata { num_host_blocks:
 * usize, num_disk_blocks: usize }} in bincode 2 standard encoding. Values are unsigned.
 */
public record LeaderMetadata(long numHostBlocks, long numDiskBlocks) {

    public byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(18);
        Bincode.writeVarint(out, numHostBlocks);
        Bincode.writeVarint(out, numDiskBlocks);
        return out.toByteArray();
    }

    public static LeaderMetadata decode(byte[] payload) {
        Bincode.Reader r = new Bincode.Reader(payload);
        LeaderMetadata m = new LeaderMetadata(r.varint("num_host_blocks"), r.varint("num_disk_blocks"));
        r.end("leader_metadata");
        return m;
    }
}
