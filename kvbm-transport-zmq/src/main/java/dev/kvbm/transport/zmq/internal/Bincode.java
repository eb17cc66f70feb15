package dev.kvbm.transport.zmq.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import java.io.ByteArrayOutputStream;

/**
 * The part of bincode 2's {@code config::standard()} encoding that Dynamo's handshake messages use:
 * unsigned integers as little-endian variable-length integers. A value below 251 is one byte; up to
 * 2^16-1 it is {@code 0xFB} and a u16; up to 2^32-1 {@code 0xFC} and a u32; above, {@code 0xFD} and a
 * u64. Values are Rust {@code usize}/{@code u64}, carried here as unsigned Java longs.
 */
final class Bincode {
    private static final int U16 = 0xFB;
    private static final int U32 = 0xFC;
    private static final int U64 = 0xFD;
    private static final int U128 = 0xFE;

    private Bincode() {
    }

    /** Appends {@code value} (unsigned) as a bincode varint. */
    public static void writeVarint(ByteArrayOutputStream out, long value) {
        if (Long.compareUnsigned(value, 251) < 0) {
            out.write((int) value);
        } else if (Long.compareUnsigned(value, 1L << 16) < 0) {
            out.write(U16);
            writeLe(out, value, 2);
        } else if (Long.compareUnsigned(value, 1L << 32) < 0) {
            out.write(U32);
            writeLe(out, value, 4);
        } else {
            out.write(U64);
            writeLe(out, value, 8);
        }
    }

    private static void writeLe(ByteArrayOutputStream out, long value, int bytes) {
        for (int i = 0; i < bytes; i++) {
            out.write((int) (value >>> (8 * i)) & 0xFF);
        }
    }

    /** A cursor over an encoded message that fails with {@code PROTOCOL_ERROR} naming the field. */
    public static final class Reader {
        private final byte[] bytes;
        private int pos;

        public Reader(byte[] bytes) {
            this.bytes = bytes;
        }

        /** Reads one unsigned varint (a Rust {@code usize}/{@code u64}). */
        public long varint(String field) {
            int tag = next(field);
            return switch (tag) {
                case U16 -> canonical(field, readLe(field, 2), 251);
                case U32 -> canonical(field, readLe(field, 4), 1L << 16);
                case U64 -> canonical(field, readLe(field, 8), 1L << 32);
                case U128 -> throw error(field, "is a u128 (tag 0xFE), which does not fit a usize");
                case 0xFF -> throw error(field, "has the invalid varint tag 0xFF");
                default -> tag;
            };
        }

        // bincode rejects a value encoded wider than needed; so does this reader, to keep one encoding per value.
        private long canonical(String field, long v, long min) {
            if (Long.compareUnsigned(v, min) < 0) {
                throw error(field, "is encoded in more bytes than its value " + Long.toUnsignedString(v) + " needs");
            }
            return v;
        }

        private long readLe(String field, int n) {
            long v = 0;
            for (int i = 0; i < n; i++) {
                v |= (long) next(field) << (8 * i);
            }
            return v;
        }

        private int next(String field) {
            if (pos >= bytes.length) {
                throw error(field, "is truncated (message of " + bytes.length + " bytes)");
            }
            return bytes[pos++] & 0xFF;
        }

        /** Fails when bytes are left after the last field. */
        public void end(String message) {
            if (pos != bytes.length) {
                throw new KvbmException(ErrorCode.PROTOCOL_ERROR, message + ": " + (bytes.length - pos)
                        + " trailing byte(s) after the last field");
            }
        }

        private KvbmException error(String field, String what) {
            return KvbmException.forField(ErrorCode.PROTOCOL_ERROR, field, field + " " + what);
        }
    }
}
