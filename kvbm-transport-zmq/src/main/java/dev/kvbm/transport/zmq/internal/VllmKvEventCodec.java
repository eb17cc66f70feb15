package dev.kvbm.transport.zmq.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.events.KvEvent;
import dev.kvbm.api.events.KvEventBatch;
import java.io.IOException;
import java.math.BigInteger;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePacker;

/**
 * Encodes KV event batches as vLLM's {@code KVEventBatch} (vllm/distributed/kv_events.py, main at commit
 * 0181ea3), as msgspec writes it: every struct a map in field order, fields equal to their default left
 * out ({@code omit_defaults}), each event tagged by a leading {@code "type": ClassName} entry. Block hashes
 * are unsigned 64-bit msgpack integers, never negative int64.
 */
final class VllmKvEventCodec {
    private static final BigInteger TWO_TO_64 = BigInteger.ONE.shiftLeft(64);

    private VllmKvEventCodec() {
    }

    static byte[] encode(KvEventBatch batch) {
        try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
            p.packMapHeader(3);
            p.packString("ts").packDouble(batch.timestamp());
            p.packString("events").packArrayHeader(batch.events().size());
            for (KvEvent e : batch.events()) {
                event(p, e);
            }
            p.packString("data_parallel_rank").packInt(batch.dataParallelRank());
            return p.toByteArray();
        } catch (IOException e) {
            throw new KvbmException(ErrorCode.PROTOCOL_ERROR, "encoding a KV event batch failed: " + e.getMessage(), e);
        }
    }

    private static void event(MessagePacker p, KvEvent e) throws IOException {
        switch (e) {
            case KvEvent.BlockStored s -> {
                // lora_id, medium and lora_name have no default in vLLM's struct: always written, nil when unset.
                p.packMapHeader(8);
                p.packString("type").packString("BlockStored");
                p.packString("block_hashes");
                hashes(p, s.blockHashes());
                p.packString("parent_block_hash");
                if (s.parent().isPresent()) {
                    hash(p, s.parent().getAsLong());
                } else {
                    p.packNil();
                }
                int[] tokens = s.tokenIds();
                p.packString("token_ids").packArrayHeader(tokens.length);
                for (int t : tokens) {
                    p.packInt(t);
                }
                p.packString("block_size").packInt(s.blockSize());
                p.packString("lora_id").packNil();
                p.packString("medium").packString(s.medium().name());
                p.packString("lora_name").packNil();
            }
            case KvEvent.BlockRemoved r -> {
                p.packMapHeader(3);
                p.packString("type").packString("BlockRemoved");
                p.packString("block_hashes");
                hashes(p, r.blockHashes());
                p.packString("medium").packString(r.medium().name());
            }
            case KvEvent.AllBlocksCleared c -> {
                p.packMapHeader(1);
                p.packString("type").packString("AllBlocksCleared");
            }
        }
    }

    private static void hashes(MessagePacker p, long[] hashes) throws IOException {
        p.packArrayHeader(hashes.length);
        for (long h : hashes) {
            hash(p, h);
        }
    }

    /** Packs {@code h} read as unsigned: values from 2^63 up become uint64, not negative int64. */
    private static void hash(MessagePacker p, long h) throws IOException {
        if (h >= 0) {
            p.packLong(h);
        } else {
            p.packBigInteger(BigInteger.valueOf(h).add(TWO_TO_64));
        }
    }
}
