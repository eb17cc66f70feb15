package dev.kvbm.transport.zmq.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.BlockPair;
import dev.kvbm.api.spi.BlockProbe;
import dev.kvbm.api.spi.ClusterCodec;
import dev.kvbm.api.spi.LeaderMetadata;
import dev.kvbm.api.spi.TransferOutcome;
import dev.kvbm.api.spi.TransferRequest;
import dev.kvbm.api.spi.WorkerMetadata;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Dynamo's wire format. {@code WorkerMetadata { num_device_blocks: usize, bytes_per_block: usize }} and
 * {@code LeaderMetadata { num_host_blocks: usize, num_disk_blocks: usize }} in bincode 2 standard encoding;
 * {@code BlockTransferRequest} as compact JSON in declaration order
 * ({@code {"from_pool":"Device","to_pool":"Host","blocks":[[0,5],[1,6]]}}, the optional {@code connector_req}
 * carried as its JSON text and omitted when absent, unknown fields ignored as serde does); the outcome
 * {@code {"ok":true}} or {@code {"ok":false,"error":"..."}} of newer Dynamo. kvbm's check functions use
 * {@code {"pool":"Device","blocks":[..],"seed":S}} and answer {@code {"crc32c":[..]}}.
 */
public final class DynamoCodec implements ClusterCodec {
    public static final DynamoCodec INSTANCE = new DynamoCodec();

    private DynamoCodec() {
    }

    @Override
    public byte[] encodeWorkerMetadata(WorkerMetadata m) {
        return varints(m.numDeviceBlocks(), m.bytesPerBlock());
    }

    @Override
    public WorkerMetadata decodeWorkerMetadata(byte[] payload) {
        Bincode.Reader r = new Bincode.Reader(payload);
        WorkerMetadata m = new WorkerMetadata(r.varint("num_device_blocks"), r.varint("bytes_per_block"));
        r.end("worker_metadata");
        return m;
    }

    @Override
    public byte[] encodeLeaderMetadata(LeaderMetadata m) {
        return varints(m.numHostBlocks(), m.numDiskBlocks());
    }

    @Override
    public LeaderMetadata decodeLeaderMetadata(byte[] payload) {
        Bincode.Reader r = new Bincode.Reader(payload);
        LeaderMetadata m = new LeaderMetadata(r.varint("num_host_blocks"), r.varint("num_disk_blocks"));
        r.end("leader_metadata");
        return m;
    }

    private static byte[] varints(long a, long b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(18);
        Bincode.writeVarint(out, a);
        Bincode.writeVarint(out, b);
        return out.toByteArray();
    }

    @Override
    public byte[] encodeTransfer(TransferRequest request) {
        return CompactTransferJson.writes(request) ? CompactTransferJson.write(request) : transferJson(request);
    }

    /** The request through the generic JSON writer (a connector request, or a tier without a pool name). */
    static byte[] transferJson(TransferRequest request) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("from_pool", BlockTransferPool.of(request.from()).name());
        m.put("to_pool", BlockTransferPool.of(request.to()).name());
        List<Object> pairs = new ArrayList<>(request.blocks().size());
        for (BlockPair p : request.blocks()) {
            pairs.add(List.of(p.source(), p.target()));
        }
        m.put("blocks", pairs);
        request.connectorRequest().ifPresent(c -> m.put("connector_req", PayloadJson.parse(c)));
        return PayloadJson.write(m).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public TransferRequest decodeTransfer(byte[] frame) {
        TransferRequest compact = CompactTransferJson.read(frame);
        return compact != null ? compact : parseTransfer(frame);
    }

    /** The request through the generic JSON parser, which names the bad field of a malformed one. */
    static TransferRequest parseTransfer(byte[] frame) {
        if (!(PayloadJson.parse(utf8("transfer_blocks", frame)) instanceof Map<?, ?> m)) {
            throw KvbmException.forField(ErrorCode.PROTOCOL_ERROR, "transfer_blocks",
                    "transfer_blocks must be a JSON object");
        }
        BlockTransferPool from = BlockTransferPool.parse("from_pool", required(m, "from_pool"));
        BlockTransferPool to = BlockTransferPool.parse("to_pool", required(m, "to_pool"));
        if (!(required(m, "blocks") instanceof List<?> list)) {
            throw field("blocks", "must be an array of [source, target] pairs");
        }
        List<BlockPair> pairs = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            String name = "blocks[" + i + "]";
            if (!(list.get(i) instanceof List<?> pair) || pair.size() != 2) {
                throw field(name, "must be a [source, target] pair");
            }
            pairs.add(new BlockPair(index(name + "[0]", pair.get(0)), index(name + "[1]", pair.get(1))));
        }
        Object conn = m.get("connector_req");
        Optional<String> connector = conn == null || conn == PayloadJson.NULL ? Optional.empty() : Optional.of(PayloadJson.write(conn));
        return new TransferRequest(from.tier(), to.tier(), pairs, connector);
    }

    @Override
    public byte[] encodeOutcome(TransferOutcome outcome) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ok", outcome.ok());
        outcome.error().ifPresent(e -> m.put("error", e));
        return PayloadJson.write(m).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public TransferOutcome decodeOutcome(byte[] payload) {
        if (!(PayloadJson.parse(utf8("outcome", payload)) instanceof Map<?, ?> m)) {
            throw KvbmException.forField(ErrorCode.PROTOCOL_ERROR, "outcome", "outcome must be a JSON object");
        }
        if (!(m.get("ok") instanceof Boolean ok)) {
            throw KvbmException.forField(ErrorCode.PROTOCOL_ERROR, "ok", "ok must be true or false (got " + m.get("ok") + ")");
        }
        Object e = m.get("error");
        if (e != null && e != PayloadJson.NULL && !(e instanceof String)) {
            throw KvbmException.forField(ErrorCode.PROTOCOL_ERROR, "error", "error must be a string (got " + e + ")");
        }
        return new TransferOutcome(ok, e instanceof String s ? Optional.of(s) : Optional.empty());
    }

    @Override
    public byte[] encodeProbe(BlockProbe probe) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pool", BlockTransferPool.of(probe.tier()).name());
        m.put("blocks", probe.blocks());
        m.put("seed", probe.seed());
        return PayloadJson.write(m).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public BlockProbe decodeProbe(String function, byte[] payload) {
        if (!(PayloadJson.parse(utf8(function, payload)) instanceof Map<?, ?> map)) {
            throw new KvbmException(ErrorCode.PROTOCOL_ERROR, function + " must be a JSON object");
        }
        BlockTransferPool pool = BlockTransferPool.parse("pool", map.get("pool"));
        if (!(map.get("blocks") instanceof List<?> list)) {
            throw new KvbmException(ErrorCode.PROTOCOL_ERROR, "blocks must be an array of block indices");
        }
        List<Integer> blocks = new ArrayList<>();
        for (Object o : list) {
            if (!(o instanceof PayloadJson.Num n)) {
                throw new KvbmException(ErrorCode.PROTOCOL_ERROR, "blocks must hold block indices");
            }
            blocks.add(n.nonNegativeInt("blocks"));
        }
        long seed;
        try {
            seed = map.get("seed") instanceof PayloadJson.Num n ? Long.parseLong(n.text()) : 0;
        } catch (NumberFormatException e) {
            throw KvbmException.forField(ErrorCode.PROTOCOL_ERROR, "seed", "seed must be a whole number in the range of a signed 64-bit integer");
        }
        return new BlockProbe(pool.tier(), blocks, seed);
    }

    @Override
    public byte[] encodeChecksums(List<Long> crc32c) {
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("crc32c", List.copyOf(crc32c));
        return PayloadJson.write(reply).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public List<Long> decodeChecksums(byte[] payload) {
        if (!(PayloadJson.parse(utf8("checksums", payload)) instanceof Map<?, ?> m) || !(m.get("crc32c") instanceof List<?> list)) {
            throw KvbmException.forField(ErrorCode.PROTOCOL_ERROR, "crc32c", "a checksum answer must be {\"crc32c\":[..]}");
        }
        List<Long> sums = new ArrayList<>(list.size());
        for (Object o : list) {
            if (!(o instanceof PayloadJson.Num n)) {
                throw KvbmException.forField(ErrorCode.PROTOCOL_ERROR, "crc32c", "crc32c must hold numbers");
            }
            try {
                sums.add(Long.parseLong(n.text()));
            } catch (NumberFormatException e) {
                throw KvbmException.forField(ErrorCode.PROTOCOL_ERROR, "crc32c", "crc32c must hold 32-bit checksums (got " + n.text() + ")");
            }
        }
        return sums;
    }

    private static int index(String field, Object v) {
        if (v instanceof PayloadJson.Num n) {
            return n.nonNegativeInt(field);
        }
        throw field(field, "must be a block index (got " + v + ")");
    }

    private static Object required(Map<?, ?> m, String key) {
        Object v = m.get(key);
        if (v == null) {
            throw field(key, "is missing");
        }
        return v;
    }

    private static KvbmException field(String field, String what) {
        return KvbmException.forField(ErrorCode.PROTOCOL_ERROR, field, field + " " + what);
    }

    /** Strict UTF-8: malformed input is an error, never replaced. */
    static String utf8(String field, byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw KvbmException.forField(ErrorCode.PROTOCOL_ERROR, field, field + " is not valid UTF-8");
        }
    }
}
