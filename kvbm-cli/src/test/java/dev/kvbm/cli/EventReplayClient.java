package dev.kvbm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.Value;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/** A late KV-event subscriber: fetches the batches a ROUTER replay endpoint holds and decodes vLLM's msgpack. */
public final class EventReplayClient {
    static {
        // The tests run inside dev.kvbm.cli, which does not read the subscriber's libraries (the CLI never uses them):
        // found by name, the module reads them before any of their classes is linked.
        for (String name : List.of("org.zeromq.ZContext", "org.msgpack.core.MessagePack")) {
            try {
                EventReplayClient.class.getModule().addReads(Class.forName(name).getModule());
            } catch (ClassNotFoundException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }

    private EventReplayClient() {
    }

    /**
     * Every batch the replay endpoint at {@code endpoint} holds, from sequence 0, checked to be in order. A request
     * that got no answer in 10 s is sent again on a new connection (twice at most): once, on the loaded shared
     * machine, a first request went unanswered while a second one was served.
     */
    public static List<byte[]> replayed(String endpoint) {
        for (int attempt = 1; ; attempt++) {
            try (ZContext ctx = new ZContext()) {
                ZMQ.Socket req = ctx.createSocket(SocketType.DEALER);
                req.setReceiveTimeOut(10_000);
                req.connect(endpoint);
                req.sendMore(new byte[0]);
                req.send(ByteBuffer.allocate(8).putLong(0).array());
                if (req.recv() == null) {
                    assertTrue(attempt < 3, "the replay endpoint " + endpoint + " answers");
                    continue;
                }
                List<byte[]> batches = new ArrayList<>();
                while (true) {
                    long seq = ByteBuffer.wrap(req.recv()).getLong();
                    byte[] payload = req.recv();
                    if (seq == -1) {
                        return batches;
                    }
                    assertEquals(batches.size(), seq, "batches in order, none missing");
                    batches.add(payload);
                    assertTrue(req.recv() != null, "the replay goes on to its end marker");
                }
            }
        }
    }

    /** A msgpack map (vLLM's structs are maps) by field name. */
    public static Map<String, Value> map(Value v) {
        Map<String, Value> out = new LinkedHashMap<>();
        v.asMapValue().map().forEach((k, val) -> out.put(k.asStringValue().asString(), val));
        return out;
    }

    /** One batch's {@code data_parallel_rank}. */
    public static long rank(byte[] payload) throws IOException {
        try (MessageUnpacker u = MessagePack.newDefaultUnpacker(payload)) {
            return map(u.unpackValue()).get("data_parallel_rank").asIntegerValue().asLong();
        }
    }
}
