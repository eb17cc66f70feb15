package dev.kvbm.transport.zmq.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.KvbmException;
import dev.kvbm.api.events.KvEvent;
import dev.kvbm.api.events.KvEvent.Medium;
import dev.kvbm.api.events.KvEventBatch;
import dev.kvbm.api.events.KvEventPublisher;
import dev.kvbm.api.spi.KvEventsConfig;
import java.io.IOException;
import java.math.BigInteger;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.Value;
import org.msgpack.value.ValueType;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

class KvEventPublisherTest {
    /** A hash above 2^63: must travel as uint64, not as a negative int64. */
    static final long HIGH = 0xF000_0000_0000_0001L;

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static KvEventBatch batch(int i) {
        return new KvEventBatch(1000.5 + i, List.of(
                new KvEvent.BlockStored(new long[] {HIGH, i}, OptionalLong.of(7), new int[] {1, 2, 3, 4}, 2, Medium.GPU),
                new KvEvent.BlockRemoved(new long[] {i}, Medium.DISK)), 0);
    }

    static Map<String, Value> map(Value v) {
        Map<String, Value> out = new LinkedHashMap<>();
        v.asMapValue().map().forEach((k, val) -> out.put(k.asStringValue().asString(), val));
        return out;
    }

    static Map<String, Value> decode(byte[] payload) throws IOException {
        try (MessageUnpacker u = MessagePack.newDefaultUnpacker(payload)) {
            Value v = u.unpackValue();
            assertTrue(!u.hasNext(), "one msgpack value per payload");
            return map(v);
        }
    }

    @Test
    void batchesAreVllmKvEventBatchesWithUnsignedHashes() throws IOException {
        Map<String, Value> b = decode(VllmKvEventCodec.encode(batch(3)));
        assertEquals(List.of("ts", "events", "data_parallel_rank"), List.copyOf(b.keySet()));
        assertEquals(1003.5, b.get("ts").asFloatValue().toDouble());
        assertEquals(0, b.get("data_parallel_rank").asIntegerValue().asInt());
        List<Value> events = b.get("events").asArrayValue().list();
        Map<String, Value> stored = map(events.get(0));
        assertEquals(List.of("type", "block_hashes", "parent_block_hash", "token_ids", "block_size", "lora_id", "medium",
                "lora_name"), List.copyOf(stored.keySet()), "msgspec's field order, tag first");
        assertEquals("BlockStored", stored.get("type").asStringValue().asString());
        Value high = stored.get("block_hashes").asArrayValue().get(0);
        assertEquals(ValueType.INTEGER, high.getValueType());
        assertEquals(new BigInteger(Long.toUnsignedString(HIGH)), high.asIntegerValue().asBigInteger());
        assertEquals(7, stored.get("parent_block_hash").asIntegerValue().asLong());
        assertEquals(2, stored.get("block_size").asIntegerValue().asInt());
        assertTrue(stored.get("lora_id").isNilValue());
        assertEquals("GPU", stored.get("medium").asStringValue().asString());
        Map<String, Value> removed = map(events.get(1));
        assertEquals(List.of("type", "block_hashes", "medium"), List.copyOf(removed.keySet()));
        assertEquals("DISK", removed.get("medium").asStringValue().asString());
        Map<String, Value> cleared = decode(VllmKvEventCodec.encode(
                new KvEventBatch(1, List.of(new KvEvent.AllBlocksCleared()), 2)));
        assertEquals("AllBlocksCleared", map(cleared.get("events").asArrayValue().get(0)).get("type").asStringValue().asString());
        assertEquals(2, cleared.get("data_parallel_rank").asIntegerValue().asInt());
    }

    @Test
    void aLateSubscriberGetsEveryMissedBatchFromTheReplayEndpoint() throws Exception {
        String pub = "tcp://127.0.0.1:" + freePort();
        String replay = "tcp://127.0.0.1:" + freePort();
        try (KvEventPublisher publisher = new ZmqKvEventPublisherProvider().open(new KvEventsConfig(pub, Optional.of(replay)));
             ZContext ctx = new ZContext()) {
            for (int i = 0; i < 5; i++) {
                assertTrue(publisher.offer(batch(i)));
            }
            assertTrue(publisher.flush(5_000));
            assertEquals(5, publisher.published());
            assertEquals(4, publisher.lastSequence());
            ZMQ.Socket sub = ctx.createSocket(SocketType.SUB);
            sub.setHandshakeIvl(1000); // JeroMQ may stall a handshake between two contexts of one JVM: retry soon
            sub.subscribe(new byte[0]);
            sub.connect(pub);
            ZMQ.Socket req = ctx.createSocket(SocketType.DEALER);
            req.setHandshakeIvl(1000); // JeroMQ may stall a handshake between two contexts of one JVM: retry soon
            req.connect(replay);
            // A malformed request is ignored; the endpoint keeps serving.
            req.sendMore(new byte[0]);
            req.send(new byte[] {1, 2, 3});
            req.sendMore(new byte[0]);
            req.send(ByteBuffer.allocate(8).putLong(2).array());
            List<Long> seqs = new ArrayList<>();
            req.setReceiveTimeOut(5_000);
            while (true) {
                assertArrayEquals(new byte[0], req.recv(), "empty delimiter");
                long seq = ByteBuffer.wrap(req.recv()).getLong();
                byte[] payload = req.recv();
                if (seq == -1) {
                    assertEquals(0, payload.length);
                    break;
                }
                seqs.add(seq);
                assertEquals(1000.5 + seq, decode(payload).get("ts").asFloatValue().toDouble());
            }
            assertEquals(List.of(2L, 3L, 4L), seqs);
            // Live batches reach the subscriber as [topic, seq, payload], numbered on from the replayed ones.
            sub.setReceiveTimeOut(200);
            long seq = -1;
            for (int attempt = 0; attempt < 50 && seq < 0; attempt++) {
                publisher.offer(batch(5 + attempt));
                byte[] topic = sub.recv();
                if (topic != null) {
                    assertEquals(0, topic.length);
                    seq = ByteBuffer.wrap(sub.recv()).getLong();
                    decode(sub.recv());
                }
            }
            assertTrue(seq >= 5, "live sequence numbers continue after the buffered ones (got " + seq + ")");
            assertEquals(0, publisher.dropped());
        }
    }

    @Test
    void aNonLoopbackEndpointIsRefusedAndAClosedPublisherTakesNothing() throws IOException {
        KvbmException e = assertThrows(KvbmException.class, () -> new ZmqKvEventPublisherProvider()
                .open(new KvEventsConfig("tcp://0.0.0.0:" + freePort(), Optional.empty())));
        assertTrue(e.getMessage().contains("not a loopback address"), e.getMessage());
        KvEventPublisher p = new ZmqKvEventPublisherProvider().open(
                new KvEventsConfig("tcp://127.0.0.1:" + freePort(), Optional.empty()));
        p.close();
        assertThrows(KvbmException.class, () -> p.offer(batch(0)));
    }
}
