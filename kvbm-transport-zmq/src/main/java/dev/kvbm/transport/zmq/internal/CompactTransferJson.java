package dev.kvbm.transport.zmq.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import dev.kvbm.api.Tier;
import dev.kvbm.api.spi.BlockPair;
import dev.kvbm.api.spi.TransferRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The typed fast path of {@code BlockTransferRequest} without a connector request,
 * {@code {"from_pool":"Device","to_pool":"Host","blocks":[[0,5],[1,6]]}}: Jackson's streaming parser and generator
 * go straight between bytes and the request, with no tree of values, no per-index text check and no charset
 * decoder (on a worker the generic path cost 10-25 us of a 16-block transfer's round trip, more than the copy).
 *
 * <p>{@link #read} follows the exact token sequence kvbm's leader (and serde_json) writes: those three keys in that
 * order and no other, pairs of ints in {@code 0..Integer.MAX_VALUE}, nothing after the object (whitespace and
 * escapes are Jackson's to read, as on the generic path; only plain-ASCII frames). On any deviation (another key
 * or order, {@code connector_req}, a number that is no such int, bad JSON) it returns null and the generic
 * {@link DynamoCodec#parseTransfer} reads the frame, so every other valid document is still accepted and every
 * bad one gets its precise error. What it accepts, the generic path reads to the same request; the wire format is
 * unchanged.
 */
final class CompactTransferJson {
    /**
     * The generic path's factory (same limits) without duplicate-key detection: the token sequence takes each key
     * once anyway, and that detector's set of names was a third of a decode on a worker whose caches are cold.
     */
    private static final JsonFactory JSON = PayloadJson.JSON.rebuild()
            .disable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private static final SerializableString FROM_POOL = new SerializedString("from_pool");
    private static final SerializableString TO_POOL = new SerializedString("to_pool");
    private static final SerializableString BLOCKS = new SerializedString("blocks");
    private static final BlockTransferPool[] POOLS = BlockTransferPool.values();
    private static final SerializableString[] POOL_NAMES = new SerializableString[POOLS.length];

    static {
        for (BlockTransferPool p : POOLS) {
            POOL_NAMES[p.ordinal()] = new SerializedString(p.name());
        }
    }

    private CompactTransferJson() {
    }

    /** The compact JSON of a request without a connector request (the caller writes those generically). */
    static byte[] write(TransferRequest request) {
        List<BlockPair> pairs = request.blocks();
        ByteArrayBuilder out = new ByteArrayBuilder(64 + 12 * pairs.size());
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeFieldName(FROM_POOL);
            g.writeString(POOL_NAMES[BlockTransferPool.of(request.from()).ordinal()]);
            g.writeFieldName(TO_POOL);
            g.writeString(POOL_NAMES[BlockTransferPool.of(request.to()).ordinal()]);
            g.writeFieldName(BLOCKS);
            g.writeStartArray();
            for (int i = 0; i < pairs.size(); i++) {
                BlockPair p = pairs.get(i);
                g.writeStartArray();
                g.writeNumber(p.source());
                g.writeNumber(p.target());
                g.writeEndArray();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayBuilder does no I/O
        }
        return out.toByteArray();
    }

    /** The request when {@code frame} is a plain request in that token sequence, else null (read it generically). */
    static TransferRequest read(byte[] frame) {
        if (!plainAscii(frame)) {
            return null;
        }
        try (JsonParser p = JSON.createParser(frame)) {
            if (p.nextToken() != JsonToken.START_OBJECT || !p.nextFieldName(FROM_POOL)) {
                return null;
            }
            BlockTransferPool from = BlockTransferPool.named(p.nextTextValue());
            if (from == null || !p.nextFieldName(TO_POOL)) {
                return null;
            }
            BlockTransferPool to = BlockTransferPool.named(p.nextTextValue());
            if (to == null || !p.nextFieldName(BLOCKS) || p.nextToken() != JsonToken.START_ARRAY) {
                return null;
            }
            // a pair takes 6 bytes at least ("[0,0],"); at most 1024 slots up front, so a frame that only starts
            // like a request costs little
            List<BlockPair> pairs = new ArrayList<>(Math.min(1024, frame.length / 6));
            for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                int source = t == JsonToken.START_ARRAY ? index(p) : -1;
                int target = source < 0 ? -1 : index(p);
                if (target < 0 || p.nextToken() != JsonToken.END_ARRAY) {
                    return null;
                }
                pairs.add(new BlockPair(source, target));
            }
            if (p.nextToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                return null;
            }
            return new TransferRequest(from.tier(), to.tier(), pairs, Optional.empty());
        } catch (IOException e) {
            return null; // bad JSON: the generic path reads it again and says where
        }
    }

    /** Whether {@code request} is one {@link #write} encodes (the connector request is left to the generic writer). */
    static boolean writes(TransferRequest request) {
        return request.connectorRequest().isEmpty() && known(request.from()) && known(request.to());
    }

    private static boolean known(Tier tier) {
        return BlockTransferPool.forTier(tier) != null;
    }

    /** The next value when it is an int in {@code 0..Integer.MAX_VALUE} as the generic path accepts it, else -1. */
    private static int index(JsonParser p) throws IOException {
        if (p.nextToken() != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT) {
            return -1;
        }
        int v = p.getIntValue();
        // "-0" is the int 0 to Jackson, but the generic path allows no sign
        return v > 0 || (v == 0 && p.getTextLength() == 1) ? v : -1;
    }

    /**
     * Whether every byte is ASCII and not NUL. Only such a frame reads the same to Jackson's byte parser as to the
     * generic path's strict UTF-8 decoding: Jackson guesses UTF-16/32 from zero bytes, skips a byte order mark and
     * is laxer about malformed UTF-8 inside strings.
     */
    private static boolean plainAscii(byte[] frame) {
        for (byte b : frame) {
            if (b <= 0) {
                return false;
            }
        }
        return true;
    }
}
