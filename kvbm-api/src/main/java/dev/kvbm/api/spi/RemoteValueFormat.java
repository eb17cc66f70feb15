package dev.kvbm.api.spi;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The value of a block in a remote store: a self-describing header followed by the payload (the
 * block's pages in (layer, outer) order). Every remote tier writes and checks this format, so a value
 * from another version, another namespace or a torn write is recognised and never served.
 *
 * <pre>
 * offset size  field (little-endian)
 *      0    4  magic "KVB4"
 *      4    2  version (1)
 *      6    2  header length (40)
 *      8    8  fingerprint of the namespace
 *     16    8  sequence hash of the block
 *     24    8  payload length in bytes
 *     32    4  CRC32C of the payload
 *     36    4  CRC32C of bytes 0..35 (the header itself)
 *     40    n  payload
 * </pre>
 */
public final class RemoteValueFormat {
    public static final int MAGIC = 0x3442564B; // "KVB4" read little-endian
    public static final short VERSION = 1;
    public static final int HEADER_BYTES = 40;

    private RemoteValueFormat() {
    }

    /** Why a value is refused, or {@link #OK}. */
    public enum Verdict { OK, TOO_SHORT, BAD_MAGIC, BAD_VERSION, BAD_HEADER_CHECKSUM, WRONG_NAMESPACE, WRONG_BLOCK,
        WRONG_LENGTH, BAD_PAYLOAD_CHECKSUM }

    /** CRC32C of the payload pages, read in place. */
    public static int payloadChecksum(List<MemorySegment> pages) {
        CRC32C crc = new CRC32C();
        for (MemorySegment page : pages) {
            crc.update(page.asByteBuffer());
        }
        return (int) crc.getValue();
    }

    /** The total payload length of {@code pages}. */
    public static long payloadLength(List<MemorySegment> pages) {
        long n = 0;
        for (MemorySegment page : pages) {
            n += page.byteSize();
        }
        return n;
    }

    /** The 40-byte header of a payload, ready to write before it. */
    public static ByteBuffer header(long fingerprint, long sequenceHash, long payloadLength, int payloadCrc) {
        ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(MAGIC).putShort(VERSION).putShort((short) HEADER_BYTES).putLong(fingerprint).putLong(sequenceHash)
                .putLong(payloadLength).putInt(payloadCrc);
        CRC32C crc = new CRC32C();
        crc.update(h.array(), 0, 36);
        h.putInt((int) crc.getValue());
        return h.flip();
    }

    /**
     * Checks the header at the start of {@code value} (position to limit) against what the reader
     * expects; the payload checksum is checked by {@link #verifyPayload}. Does not move {@code value}.
     */
    public static Verdict checkHeader(ByteBuffer value, long fingerprint, long sequenceHash, long payloadLength) {
        if (value.remaining() < HEADER_BYTES) {
            return Verdict.TOO_SHORT;
        }
        ByteBuffer h = value.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int p = h.position();
        if (h.getInt(p) != MAGIC) {
            return Verdict.BAD_MAGIC;
        }
        if (h.getShort(p + 4) != VERSION || h.getShort(p + 6) != HEADER_BYTES) {
            return Verdict.BAD_VERSION;
        }
        CRC32C crc = new CRC32C();
        crc.update(h.duplicate().position(p).limit(p + 36));
        if (h.getInt(p + 36) != (int) crc.getValue()) {
            return Verdict.BAD_HEADER_CHECKSUM;
        }
        if (h.getLong(p + 8) != fingerprint) {
            return Verdict.WRONG_NAMESPACE;
        }
        if (h.getLong(p + 16) != sequenceHash) {
            return Verdict.WRONG_BLOCK;
        }
        if (h.getLong(p + 24) != payloadLength || value.remaining() - HEADER_BYTES != payloadLength) {
            return Verdict.WRONG_LENGTH;
        }
        return Verdict.OK;
    }

    /** Whether the payload after a valid header matches the header's CRC32C. Does not move {@code value}. */
    public static boolean verifyPayload(ByteBuffer value) {
        ByteBuffer v = value.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int expected = v.getInt(v.position() + 32);
        CRC32C crc = new CRC32C();
        crc.update(v.position(v.position() + HEADER_BYTES));
        return (int) crc.getValue() == expected;
    }

    /** Copies the payload after the header of {@code value} into {@code target} pages, in order. */
    public static void copyPayload(ByteBuffer value, List<MemorySegment> target) {
        MemorySegment source = MemorySegment.ofBuffer(value.duplicate().position(value.position() + HEADER_BYTES));
        long offset = 0;
        for (MemorySegment page : target) {
            MemorySegment.copy(source, offset, page, 0, page.byteSize());
            offset += page.byteSize();
        }
    }
}
