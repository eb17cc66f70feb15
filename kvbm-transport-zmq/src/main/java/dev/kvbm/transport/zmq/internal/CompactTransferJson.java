package dev.kvbm.transport.zmq.internal;

import dev.kvbm.api.Tier;
import dev.kvbm.api.spi.BlockPair;
import dev.kvbm.api.spi.TransferRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The compact form of {@code BlockTransferRequest} that kvbm's leader (and serde_json) writes,
 * {@code {"from_pool":"Device","to_pool":"Host","blocks":[[0,5],[1,6]]}}, written straight into bytes and read
 * by a byte scanner, with no tree of values, no regular expression and no charset decoder: on a worker the
 * generic JSON path cost 10-25 us of a 16-block transfer's round trip, more than the copy itself.
 *
 * <p>{@link #read} accepts only that exact form (ASCII, no whitespace, keys in that order, no other key,
 * indices without sign or leading zero that fit an int) and returns null for anything else, which the generic
 * parser then reads, so every other valid document is still accepted and every bad one gets the generic path's
 * precise error. What it accepts the generic path would read to the same request; the wire format is unchanged.
 */
final class CompactTransferJson {
    private static final byte[] FROM = ascii("{\"from_pool\":\"");
    private static final byte[] TO = ascii("\",\"to_pool\":\"");
    private static final byte[] BLOCKS = ascii("\",\"blocks\":[");
    private static final BlockTransferPool[] POOLS = BlockTransferPool.values();
    private static final byte[][] POOL_NAMES = new byte[POOLS.length][];

    static {
        for (BlockTransferPool p : POOLS) {
            POOL_NAMES[p.ordinal()] = ascii(p.name());
        }
    }

    private CompactTransferJson() {
    }

    /** The compact JSON of a request without a connector request (the caller writes those generically). */
    static byte[] write(TransferRequest request) {
        byte[] from = POOL_NAMES[BlockTransferPool.of(request.from()).ordinal()];
        byte[] to = POOL_NAMES[BlockTransferPool.of(request.to()).ordinal()];
        List<BlockPair> pairs = request.blocks();
        // two indices of at most 10 digits, "[", ",", "]" and "," each
        byte[] out = new byte[FROM.length + from.length + TO.length + to.length + BLOCKS.length + pairs.size() * 24 + 2];
        int at = put(out, 0, FROM);
        at = put(out, at, from);
        at = put(out, at, TO);
        at = put(out, at, to);
        at = put(out, at, BLOCKS);
        for (int i = 0; i < pairs.size(); i++) {
            BlockPair p = pairs.get(i);
            if (i > 0) {
                out[at++] = ',';
            }
            out[at++] = '[';
            at = digits(out, at, p.source());
            out[at++] = ',';
            at = digits(out, at, p.target());
            out[at++] = ']';
        }
        out[at++] = ']';
        out[at++] = '}';
        return Arrays.copyOf(out, at);
    }

    /** The request when {@code frame} is exactly in the compact form, else null (read it generically). */
    static TransferRequest read(byte[] frame) {
        int at = expect(frame, 0, FROM);
        int from = at < 0 ? -1 : pool(frame, at);
        at = from < 0 ? -1 : expect(frame, at + POOL_NAMES[from].length, TO);
        int to = at < 0 ? -1 : pool(frame, at);
        at = to < 0 ? -1 : expect(frame, at + POOL_NAMES[to].length, BLOCKS);
        if (at < 0) {
            return null;
        }
        // a pair takes 6 bytes at least ("[0,0],"); at most 1024 slots up front, so a frame that only starts like a
        // request costs little
        List<BlockPair> pairs = new ArrayList<>(Math.min(1024, (frame.length - at) / 6));
        if (at < frame.length && frame[at] == '[') {
            while (true) {
                if (at >= frame.length || frame[at] != '[') {
                    return null;
                }
                long source = index(frame, at + 1, ',');
                long target = source < 0 ? -1 : index(frame, end(source), ']');
                if (target < 0) {
                    return null;
                }
                pairs.add(new BlockPair(value(source), value(target)));
                at = end(target);
                if (at < frame.length && frame[at] == ',') {
                    at++;
                } else {
                    break;
                }
            }
        }
        if (at + 2 != frame.length || frame[at] != ']' || frame[at + 1] != '}') {
            return null;
        }
        return new TransferRequest(POOLS[from].tier(), POOLS[to].tier(), pairs, Optional.empty());
    }

    /** Whether {@code request} is one {@link #write} encodes (the connector request is left to the generic writer). */
    static boolean writes(TransferRequest request) {
        return request.connectorRequest().isEmpty() && known(request.from()) && known(request.to());
    }

    private static boolean known(Tier tier) {
        for (BlockTransferPool p : POOLS) {
            if (p.tier() == tier) {
                return true;
            }
        }
        return false;
    }

    /**
     * The index starting at {@code at} and the position after the {@code then} that must follow it, packed
     * ({@code value | end << 32}), or -1 when it is not 0 or 1-10 digits without a leading zero within
     * {@code 0..Integer.MAX_VALUE} followed by {@code then}.
     */
    private static long index(byte[] b, int at, char then) {
        int i = at;
        long v = 0;
        while (i < b.length && b[i] >= '0' && b[i] <= '9' && i - at < 11) {
            v = v * 10 + (b[i] - '0');
            i++;
        }
        int n = i - at;
        if (n == 0 || n > 10 || (n > 1 && b[at] == '0') || v > Integer.MAX_VALUE || i >= b.length || b[i] != then) {
            return -1;
        }
        return v | (long) (i + 1) << 32;
    }

    private static int value(long packed) {
        return (int) packed;
    }

    private static int end(long packed) {
        return (int) (packed >>> 32);
    }

    /** The pool whose name starts at {@code at} and is followed by a quote, or -1. */
    private static int pool(byte[] b, int at) {
        for (int p = 0; p < POOL_NAMES.length; p++) {
            byte[] name = POOL_NAMES[p];
            if (expect(b, at, name) >= 0 && at + name.length < b.length && b[at + name.length] == '"') {
                return p;
            }
        }
        return -1;
    }

    /** The position after {@code text} when {@code b} holds it at {@code at}, else -1. */
    private static int expect(byte[] b, int at, byte[] text) {
        if (at < 0 || at + text.length > b.length) {
            return -1;
        }
        for (int i = 0; i < text.length; i++) {
            if (b[at + i] != text[i]) {
                return -1;
            }
        }
        return at + text.length;
    }

    private static int put(byte[] out, int at, byte[] text) {
        System.arraycopy(text, 0, out, at, text.length);
        return at + text.length;
    }

    /** Writes a non-negative int in decimal. */
    private static int digits(byte[] out, int at, int v) {
        int n = 1;
        for (int x = v; x >= 10; x /= 10) {
            n++;
        }
        for (int i = at + n - 1, x = v; i >= at; i--, x /= 10) {
            out[i] = (byte) ('0' + x % 10);
        }
        return at + n;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
