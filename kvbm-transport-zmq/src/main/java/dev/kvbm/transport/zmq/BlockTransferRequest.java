package dev.kvbm.transport.zmq;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.BlockPair;
import dev.kvbm.transport.zmq.internal.PayloadJson;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Dynamo's {@code BlockTransferRequest}, the one data frame of {@code transfer_blocks}, as compact JSON in
 * declaration order: {@code {"from_pool":"Device","to_pool":"Host","blocks":[[0,5],[1,6]]}}. The optional
 * {@code connector_req} (a {@code LeaderTransferRequest}) is carried as its JSON text and omitted when absent.
 * Unknown fields (newer Dynamo variants) are ignored, as serde does.
 */
public record BlockTransferRequest(BlockTransferPool fromPool, BlockTransferPool toPool, List<BlockPair> blocks,
                                   Optional<String> connectorReqJson) {
    public BlockTransferRequest {
        Objects.requireNonNull(fromPool, "fromPool");
        Objects.requireNonNull(toPool, "toPool");
        blocks = List.copyOf(blocks);
        Objects.requireNonNull(connectorReqJson, "connectorReqJson");
    }

    public BlockTransferRequest(BlockTransferPool fromPool, BlockTransferPool toPool, List<BlockPair> blocks) {
        this(fromPool, toPool, blocks, Optional.empty());
    }

    public byte[] encode() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("from_pool", fromPool.name());
        m.put("to_pool", toPool.name());
        List<Object> pairs = new ArrayList<>(blocks.size());
        for (BlockPair p : blocks) {
            pairs.add(List.of(p.source(), p.target()));
        }
        m.put("blocks", pairs);
        connectorReqJson.ifPresent(c -> m.put("connector_req", PayloadJson.parse(c)));
        return PayloadJson.write(m).getBytes(StandardCharsets.UTF_8);
    }

    /** Decodes the frame; fails with {@code PROTOCOL_ERROR} naming the bad field. */
    public static BlockTransferRequest decode(byte[] frame) {
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
        return new BlockTransferRequest(from, to, pairs, connector);
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
    public static String utf8(String field, byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw KvbmException.forField(ErrorCode.PROTOCOL_ERROR, field, field + " is not valid UTF-8");
        }
    }
}
