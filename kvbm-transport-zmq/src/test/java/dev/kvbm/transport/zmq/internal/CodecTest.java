package dev.kvbm.transport.zmq.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.Tier;
import dev.kvbm.api.spi.BlockPair;
import dev.kvbm.api.spi.BlockProbe;
import dev.kvbm.api.spi.LeaderMetadata;
import dev.kvbm.api.spi.TransferOutcome;
import dev.kvbm.api.spi.TransferRequest;
import dev.kvbm.api.spi.WorkerMetadata;
import dev.kvbm.transport.zmq.ZmqOptions;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Byte vectors built by hand from bincode 2's standard config and serde_json's compact output. */
class CodecTest {
    private static final DynamoCodec CODEC = DynamoCodec.INSTANCE;

    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    @Test
    void workerMetadataBelow251IsOneByteEach() {
        assertArrayEquals(bytes(5, 250), CODEC.encodeWorkerMetadata(new WorkerMetadata(5, 250)));
        assertEquals(new WorkerMetadata(5, 250), CODEC.decodeWorkerMetadata(bytes(5, 250)));
        assertArrayEquals(bytes(0, 0), CODEC.encodeWorkerMetadata(new WorkerMetadata(0, 0)));
    }

    @Test
    void at251AndUpToU16MaxIsFbPlusU16() {
        byte[] expected = bytes(0xFB, 0xFB, 0x00, 0xFB, 0xFF, 0xFF);
        assertArrayEquals(expected, CODEC.encodeWorkerMetadata(new WorkerMetadata(251, 65535)));
        assertEquals(new WorkerMetadata(251, 65535), CODEC.decodeWorkerMetadata(expected));
    }

    @Test
    void at65536IsFcPlusU32() {
        byte[] expected = bytes(0xFC, 0x00, 0x00, 0x01, 0x00, 0xFC, 0xFF, 0xFF, 0xFF, 0xFF);
        assertArrayEquals(expected, CODEC.encodeLeaderMetadata(new LeaderMetadata(65536, 0xFFFF_FFFFL)));
        assertEquals(new LeaderMetadata(65536, 0xFFFF_FFFFL), CODEC.decodeLeaderMetadata(expected));
    }

    @Test
    void at2To32IsFdPlusU64() {
        byte[] expected = bytes(0xFD, 0, 0, 0, 0, 1, 0, 0, 0, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0x80);
        assertArrayEquals(expected, CODEC.encodeLeaderMetadata(new LeaderMetadata(1L << 32, 1L << 63)));
        assertEquals(new LeaderMetadata(1L << 32, Long.MIN_VALUE), CODEC.decodeLeaderMetadata(expected));
        // unsigned: 2^64 - 1 round-trips as -1
        byte[] max = CODEC.encodeLeaderMetadata(new LeaderMetadata(-1L, 7));
        assertArrayEquals(bytes(0xFD, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 7), max);
    }

    @Test
    void realisticHandshakeValues() {
        // 2,048 device blocks of 2 MiB: 0xFB 0x00 0x08, 0xFC 0x00 0x00 0x20 0x00
        assertArrayEquals(bytes(0xFB, 0x00, 0x08, 0xFC, 0x00, 0x00, 0x20, 0x00),
                CODEC.encodeWorkerMetadata(new WorkerMetadata(2048, 2 * 1024 * 1024)));
    }

    @Test
    void badBincodeNamesTheField() {
        KvbmException e = assertThrows(KvbmException.class, () -> CODEC.decodeWorkerMetadata(bytes(5)));
        assertEquals(ErrorCode.PROTOCOL_ERROR, e.code());
        assertEquals(Optional.of("bytes_per_block"), e.field());
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        e = assertThrows(KvbmException.class, () -> CODEC.decodeWorkerMetadata(bytes(5, 6, 7)));
        assertTrue(e.getMessage().contains("trailing"), e.getMessage());
        e = assertThrows(KvbmException.class, () -> CODEC.decodeLeaderMetadata(bytes(0xFB, 10, 0, 1)));
        assertEquals(Optional.of("num_host_blocks"), e.field());
        assertTrue(e.getMessage().contains("more bytes"), e.getMessage());
        e = assertThrows(KvbmException.class, () -> CODEC.decodeLeaderMetadata(bytes(0xFE, 0, 0)));
        assertTrue(e.getMessage().contains("u128"), e.getMessage());
        e = assertThrows(KvbmException.class, () -> CODEC.decodeLeaderMetadata(bytes(1, 0xFF)));
        assertEquals(Optional.of("num_disk_blocks"), e.field());
        assertThrows(KvbmException.class, () -> CODEC.decodeLeaderMetadata(bytes()));
    }

    @Test
    void transferRequestIsDynamosJson() {
        TransferRequest r = new TransferRequest(Tier.G1, Tier.G2, List.of(new BlockPair(0, 5), new BlockPair(1, 6)));
        String json = "{\"from_pool\":\"Device\",\"to_pool\":\"Host\",\"blocks\":[[0,5],[1,6]]}";
        assertEquals(json, new String(CODEC.encodeTransfer(r), StandardCharsets.UTF_8));
        assertEquals(r, CODEC.decodeTransfer(json.getBytes(StandardCharsets.UTF_8)));
        // whitespace, unknown fields of newer variants, and a null connector_req are accepted
        TransferRequest spaced = CODEC.decodeTransfer((" { \"blocks\" : [ [2 , 3] ] , \"to_pool\":\"Disk\","
                + "\"from_pool\":\"Host\",\"sequence_hashes\":[1,2],\"connector_req\":null }").getBytes(StandardCharsets.UTF_8));
        assertEquals(new TransferRequest(Tier.G2, Tier.G3, List.of(new BlockPair(2, 3))), spaced);
    }

    @Test
    void connectorRequestRoundTrips() {
        String conn = "{\"request_id\":\"r-1\",\"uuid\":\"123e4567-e89b-12d3-a456-426614174000\",\"requirement\":"
                + "{\"LayerNameComplete\":[\"layer.0\",3]},\"request_type\":\"Scheduled\"}";
        String json = "{\"from_pool\":\"Disk\",\"to_pool\":\"Device\",\"blocks\":[],\"connector_req\":" + conn + "}";
        TransferRequest r = CODEC.decodeTransfer(json.getBytes(StandardCharsets.UTF_8));
        assertEquals(Optional.of(conn), r.connectorRequest());
        assertEquals(json, new String(CODEC.encodeTransfer(r), StandardCharsets.UTF_8));
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
                    () -> CODEC.decodeTransfer(bad.getBytes(StandardCharsets.UTF_8)), bad);
            assertEquals(ErrorCode.PROTOCOL_ERROR, e.code(), bad);
        }
        KvbmException e = assertThrows(KvbmException.class, () -> CODEC.decodeTransfer(bytes(0x7B, 0xC3, 0x28)));
        assertTrue(e.getMessage().contains("UTF-8"), e.getMessage());
    }

    private static void assertField(String field, String json) {
        KvbmException e = assertThrows(KvbmException.class,
                () -> CODEC.decodeTransfer(json.getBytes(StandardCharsets.UTF_8)), json);
        assertEquals(ErrorCode.PROTOCOL_ERROR, e.code());
        assertEquals(Optional.of(field), e.field(), e.getMessage());
    }

    @Test
    void outcomes() {
        assertEquals("{\"ok\":true}", new String(CODEC.encodeOutcome(TransferOutcome.success()), StandardCharsets.UTF_8));
        assertEquals("{\"ok\":false,\"error\":\"disk \\\"full\\\"\\n\"}",
                new String(CODEC.encodeOutcome(TransferOutcome.failure("disk \"full\"\n")), StandardCharsets.UTF_8));
        assertEquals(TransferOutcome.failure("x"), CODEC.decodeOutcome("{\"ok\":false,\"error\":\"x\"}".getBytes(StandardCharsets.UTF_8)));
        assertEquals(TransferOutcome.success(), CODEC.decodeOutcome("{\"ok\":true}".getBytes(StandardCharsets.UTF_8)));
        KvbmException e = assertThrows(KvbmException.class, () -> CODEC.decodeOutcome("{\"ok\":1}".getBytes(StandardCharsets.UTF_8)));
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
    void probesAndChecksumsRoundTrip() {
        BlockProbe p = new BlockProbe(Tier.G2, List.of(1, 3), -7);
        assertEquals("{\"pool\":\"Host\",\"blocks\":[1,3],\"seed\":-7}", new String(CODEC.encodeProbe(p), StandardCharsets.UTF_8));
        assertEquals(p, CODEC.decodeProbe("kvbm_fill", CODEC.encodeProbe(p)));
        assertEquals(new BlockProbe(Tier.G1, List.of(), 0), CODEC.decodeProbe("kvbm_checksums",
                "{\"pool\":\"Device\",\"blocks\":[]}".getBytes(StandardCharsets.UTF_8)));
        List<Long> sums = List.of(0L, 4294967295L);
        assertEquals("{\"crc32c\":[0,4294967295]}", new String(CODEC.encodeChecksums(sums), StandardCharsets.UTF_8));
        assertEquals(sums, CODEC.decodeChecksums(CODEC.encodeChecksums(sums)));
        KvbmException e = assertThrows(KvbmException.class, () -> CODEC.decodeProbe("kvbm_fill",
                "{\"pool\":\"Gpu\",\"blocks\":[]}".getBytes(StandardCharsets.UTF_8)));
        assertEquals(Optional.of("pool"), e.field());
        assertThrows(KvbmException.class, () -> CODEC.decodeChecksums("{\"crc32c\":{}}".getBytes(StandardCharsets.UTF_8)));
    }
}
