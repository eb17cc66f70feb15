package dev.kvbm.transport.zmq.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.Tier;
import dev.kvbm.api.events.KvEvent.Medium;
import dev.kvbm.api.events.KvEventPublisher;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.spi.KvEventsConfig;
import dev.kvbm.core.manager.KvBlockManager;
import dev.kvbm.core.replay.Replayer;
import dev.kvbm.core.replay.WorkloadGenerator;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.Value;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * Lossless KV events over the real wire: a subscriber that joins after the replay fetches every batch it
 * missed from the ROUTER replay endpoint, decodes vLLM's msgpack and rebuilds each tier's set of hashes,
 * which ends exactly equal to the blocks each pool holds.
 */
class LosslessEventsTest {

    @Test
    void aLateSubscriberRebuildsEveryTiersBlocksFromTheReplayEndpoint() throws IOException {
        String pub = "tcp://127.0.0.1:" + KvEventPublisherTest.freePort();
        String replay = "tcp://127.0.0.1:" + KvEventPublisherTest.freePort();
        LayoutConfig geometry = LayoutConfig.builder().numBlocks(1).numLayers(2).outerDim(2).pageSize(16).innerDim(32)
                .build();
        try (KvEventPublisher publisher = new ZmqKvEventPublisherProvider().open(new KvEventsConfig(pub,
                Optional.of(replay)));
             KvBlockManager m = KvBlockManager.builder().geometry(geometry).tierBlocks(Tier.G1, 40)
                     .tierBlocks(Tier.G2, 80).tierProvider(Tier.G1, "host-system").tierProvider(Tier.G2, "host-system")
                     .events(publisher, 0).build();
             ZContext ctx = new ZContext()) {
            Replayer.run(m, WorkloadGenerator.generate(new WorkloadGenerator.Shape(10, 6, 2, 4, 4), 9, 16), null);
            m.awaitOffloads();
            assertTrue(publisher.flush(10_000));
            long published = publisher.published();
            assertTrue(published > 10, published + " batches");

            ZMQ.Socket req = ctx.createSocket(SocketType.DEALER);

            req.setHandshakeIvl(1000); // JeroMQ may stall a handshake between two contexts of one JVM: retry soon
            req.setReceiveTimeOut(10_000);
            req.connect(replay);
            req.sendMore(new byte[0]);
            req.send(ByteBuffer.allocate(8).putLong(0).array());
            Map<Medium, Set<Long>> sets = new EnumMap<>(Medium.class);
            for (Medium medium : Medium.values()) {
                sets.put(medium, new HashSet<>());
            }
            long expected = 0;
            while (true) {
                req.recv(); // empty delimiter
                long seq = ByteBuffer.wrap(req.recv()).getLong();
                byte[] payload = req.recv();
                if (seq == -1) {
                    break;
                }
                assertEquals(expected++, seq, "batches in order, none missing");
                apply(payload, sets);
            }
            assertEquals(published, expected, "every published batch was replayable");
            for (Tier t : m.tiers().keySet()) {
                Set<Long> held = LongStream.of(m.tier(t).pool().registeredHashes()).boxed().collect(Collectors.toSet());
                assertFalse(held.isEmpty());
                assertEquals(held, sets.get(Medium.of(t)), t + " rebuilt from the events");
            }
        }
    }

    /** Applies one KVEventBatch to the per-medium sets; hashes are unsigned 64-bit. */
    private static void apply(byte[] payload, Map<Medium, Set<Long>> sets) throws IOException {
        try (MessageUnpacker u = MessagePack.newDefaultUnpacker(payload)) {
            Map<String, Value> batch = KvEventPublisherTest.map(u.unpackValue());
            for (Value v : batch.get("events").asArrayValue()) {
                Map<String, Value> e = KvEventPublisherTest.map(v);
                String type = e.get("type").asStringValue().asString();
                if (type.equals("AllBlocksCleared")) {
                    sets.values().forEach(Set::clear);
                    continue;
                }
                Set<Long> set = sets.get(Medium.valueOf(e.get("medium").asStringValue().asString()));
                for (Value h : e.get("block_hashes").asArrayValue()) {
                    long hash = h.asIntegerValue().asBigInteger().longValue(); // unsigned back to kvbm's long
                    if (type.equals("BlockStored")) {
                        assertTrue(set.add(hash), "stored twice: " + Long.toUnsignedString(hash));
                    } else {
                        assertTrue(set.remove(hash), "removed unknown: " + Long.toUnsignedString(hash));
                    }
                }
            }
        }
    }
}
