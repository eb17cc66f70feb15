package dev.kvbm.transport.zmq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.BlockPair;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Byte vectors built by hand from bincode 2's standard config and serde_json's compact output. */
class CodecTest {

    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    @Test
    void workerMetadataBelow251IsOneByteEach() {
        assertArrayEquals(bytes(5, 250), new WorkerMetadata(5, 250).encode());
        assertEquals(new WorkerMetadata(5, 250), WorkerMetadata.decode(bytes(5, 250)));
        assertArrayEquals(bytes(0, 0), new WorkerMetadata(0, 0).encode());
    }

    @Test
    void at251AndUpToU16MaxIsFbPlusU16() {
        byte[] expected = bytes(0xFB, 0xFB, 0x00, 0xFB, 0xFF, 0xFF);
        assertArrayEquals(expected, new WorkerMetadata(251, 65535).encode());
        assertEquals(new WorkerMetadata(251, 65535), WorkerMetadata.decode(expected));
    }

    @Test
    void at65536IsFcPlusU32() {
        byte[] expected = bytes(0xFC, 0x00, 0x00, 0x01, 0x00, 0xFC, 0xFF, 0xFF, 0xFF, 0xFF);
        assertArrayEquals(expected, new LeaderMetadata(65536, 0xFFFF_FFFFL).encode());
        assertEquals(new LeaderMetadata(65536, 0xFFFF_FFFFL), LeaderMetadata.decode(expected));
    }

    @Test
    void at2To32IsFdPlusU64() {
        byte[] expected = bytes(0xFD, 0, 0, 0, 0, 1, 0, 0, 0, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0x80);
        assertArrayEquals(expected, new LeaderMetadata(1L << 32, 1L << 63).encode());
        assertEquals(new LeaderMetadata(1L << 32, Long.MIN_VALUE), LeaderMetadata.decode(expected));
        // unsigned: 2^64 - 1 round-trips as -1
        byte[] max = new LeaderMetadata(-1L, 7).encode();
        assertArrayEquals(bytes(0xFD, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 7), max);
    }

    @Test
    void realisticHandshakeValues() {
        // 2,048 device blocks of 2 MiB: 0xFB 0x00 0x08, 0xFC 0x00 0x00 0x20 0x00
        assertArrayEquals(bytes(0xFB, 0x00, 0x08, 0xFC, 0x00, 0x00, 0x20, 0x00),
                new WorkerMetadata(2048, 2 * 1024 * 1024).encode());
    }

    @Test
    void badBincodeNamesTheField() {
        KvbmException e = assertThrows(KvbmException.class, () -> WorkerMetadata.decode(bytes(5)));
        assertEquals(ErrorCode.PROTOCOL_ERROR, e.code());
        assertEquals(Optional.of("bytes_per_block"), e.field());
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        e = assertThrows(KvbmException.class, () -> WorkerMetadata.decode(bytes(5, 6, 7)));
        assertTrue(e.getMessage().contains("trailing"), e.getMessage());
        e = assertThrows(KvbmException.class, () -> LeaderMetadata.decode(bytes(0xFB, 10, 0, 1)));
        assertEquals(Optional.of("num_host_blocks"), e.field());
        assertTrue(e.getMessage().contains("more bytes"), e.getMessage());
        e = assertThrows(KvbmException.class, () -> LeaderMetadata.decode(bytes(0xFE, 0, 0)));
        assertTrue(e.getMessage().contains("u128"), e.getMessage());
        e = assertThrows(KvbmException.class, () -> LeaderMetadata.decode(bytes(1, 0xFF)));
        assertEquals(Optional.of("num_disk_blocks"), e.field());
        assertThrows(KvbmException.class, () -> LeaderMetadata.decode(bytes()));
    }

    @Test
    void transferRequestIsDynamosJson() {
        BlockTransferRequest r = new BlockTransferRequest(BlockTransferPool.Device, BlockTransferPool.Host,
                List.of(new BlockPair(0, 5), new BlockPair(1, 6)));
        String json = "{\"from_pool\":\"Device\",\"to_pool\":\"Host\",\"blocks\":[[0,5],[1,6]]}";
        assertEquals(json, new String(r.encode(), StandardCharsets.UTF_8));
        assertEquals(r, BlockTransferRequest.decode(json.getBytes(StandardCharsets.UTF_8)));
        // whitespace, unknown fields of newer variants, and a null connector_req are accepted
        BlockTransferRequest spaced = BlockTransferRequest.decode((" { \"blocks\" : [ [2 , 3] ] , \"to_pool\":\"Disk\","
                + "\"from_pool\":\"Host\",\"sequence_hashes\":[1,2],\"connector_req\":null }").getBytes(StandardCharsets.UTF_8));
        assertEquals(new BlockTransferRequest(BlockTransferPool.Host, BlockTransferPool.Disk, List.of(new BlockPair(2, 3))), spaced);
    }

    @Test
    void connectorRequestRoundTrips() {
        String conn = "{\"request_id\":\"r-1\",\"uuid\":\"123e4567-e89b-12d3-a456-426614174000\",\"requirement\":"
                + "{\"LayerNameComplete\":[\"layer.0\",3]},\"request_type\":\"Scheduled\"}";
        String json = "{\"from_pool\":\"Disk\",\"to_pool\":\"Device\",\"blocks\":[],\"connector_req\":" + conn + "}";
        BlockTransferRequest r = BlockTransferRequest.decode(json.getBytes(StandardCharsets.UTF_8));
        assertEquals(Optional.of(conn), r.connectorReqJson());
        assertEquals(json, new String(r.encode(), StandardCharsets.UTF_8));
    }

    @Test
    void badTransferRequestsNameTheField() {
        assertField("from_pool", "{\"to_pool\":\"Host\",\"blocks\":[]}");
        assertField("to_pool", "{\"from_pool\":\"Host\",\"to_pool\":\"Gpu\",\"blocks\":[]}");
        assertField("blocks", "{\"from_pool\":\"Host\",\"to_pool\":\"Disk\",\"blocks\":{}}");
        assertField("blocks[0]", "{\"from_pool\":\"Host\",\"to_pool\":\"Disk\",\"blocks\":[[1]]}");
        assertField("blocks[1][1]", "{\"from_pool\":\"Host\",\"to_pool\":\"Disk\",\"blocks\":[[1,2],[3,-4]]}");
        assertField("blocks[0][0]", "{\"from_pool\":\"Host\",\"to_pool\":\"Disk\",\"blocks\":[[1.5,2]]}");
        assertField("blocks[0][0]", "{\"from_pool\":\"Host\",\"to_pool\":\"Disk\",\"blocks\":[[4294967296,2]]}");
        for (String bad : List.of("", "{", "{\"a\":1,\"a\":2}", "[1,]", "{\"from_pool\":\"Host\"} x", "nul", "\"\\x\"")) {
            KvbmException e = assertThrows(KvbmException.class,
                    () -> BlockTransferRequest.decode(bad.getBytes(StandardCharsets.UTF_8)), bad);
            assertEquals(ErrorCode.PROTOCOL_ERROR, e.code(), bad);
        }
        KvbmException e = assertThrows(KvbmException.class, () -> BlockTransferRequest.decode(bytes(0x7B, 0xC3, 0x28)));
        assertTrue(e.getMessage().contains("UTF-8"), e.getMessage());
    }

    private static void assertField(String field, String json) {
        KvbmException e = assertThrows(KvbmException.class,
                () -> BlockTransferRequest.decode(json.getBytes(StandardCharsets.UTF_8)), json);
        assertEquals(ErrorCode.PROTOCOL_ERROR, e.code());
        assertEquals(Optional.of(field), e.field(), e.getMessage());
    }

    @Test
    void outcomes() {
        assertEquals("{\"ok\":true}", new String(TransferOutcome.success().encode(), StandardCharsets.UTF_8));
        assertEquals("{\"ok\":false,\"error\":\"disk \\\"full\\\"\\n\"}",
                new String(TransferOutcome.failure("disk \"full\"\n").encode(), StandardCharsets.UTF_8));
        assertEquals(TransferOutcome.failure("x"), TransferOutcome.decode("{\"ok\":false,\"error\":\"x\"}".getBytes(StandardCharsets.UTF_8)));
        assertEquals(TransferOutcome.success(), TransferOutcome.decode("{\"ok\":true}".getBytes(StandardCharsets.UTF_8)));
        KvbmException e = assertThrows(KvbmException.class, () -> TransferOutcome.decode("{\"ok\":1}".getBytes(StandardCharsets.UTF_8)));
        assertEquals(Optional.of("ok"), e.field());
    }

    @Test
    void endpointsFollowDynamo() {
        assertEquals(new ZmqOptions.Endpoints("tcp://127.0.0.1:56001", "tcp://127.0.0.1:56002"),
                ZmqOptions.endpoints(java.util.Map.of(), 0));
        assertEquals(new ZmqOptions.Endpoints("tcp://10.0.0.2:6004", "tcp://10.0.0.2:6005"), ZmqOptions.endpoints(
                java.util.Map.of("DYN_KVBM_LEADER_ZMQ_HOST", "10.0.0.2", "DYN_KVBM_LEADER_ZMQ_PUB_PORT", "6000",
                        "DYN_KVBM_LEADER_ZMQ_ACK_PORT", "6001"), 2));
        // an invalid port falls back to the default, as Dynamo does
        assertEquals("tcp://127.0.0.1:56001", ZmqOptions.endpoints(java.util.Map.of("DYN_KVBM_LEADER_ZMQ_PUB_PORT", "0"), 0).publish());
        assertThrows(KvbmException.class, () -> ZmqOptions.endpoints(java.util.Map.of(), -1));
    }

    @Test
    void sizingUsesDecimalGbOrOverrides() {
        ZmqLeader.Sizing s = ZmqLeader.Sizing.fromEnvironment(java.util.Map.of("DYN_KVBM_CPU_CACHE_GB", "1.5",
                "DYN_KVBM_DISK_CACHE_OVERRIDE_NUM_BLOCKS", " 77 ", "DYN_KVBM_DISK_CACHE_GB", "100"));
        assertEquals(new LeaderMetadata(1_500_000_000L / 3_000_000L, 77), s.compute(3_000_000L));
        assertEquals(new LeaderMetadata(0, 0), ZmqLeader.Sizing.fromEnvironment(java.util.Map.of("DYN_KVBM_CPU_CACHE_GB", "x")).compute(10));
    }
}
