package dev.kvbm.api.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.KvbmException;
import dev.kvbm.api.layout.LayoutConfig;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

class RemoteValueFormatTest {
    static final LayoutConfig G = LayoutConfig.of(1, 2, 2, 16, 64);

    @Test
    void keysAreNamespacedHexWithoutHashTags() {
        BlockNamespace ns = new BlockNamespace("kvbm", 0x0123456789ABCDEFL, 3, 4096);
        assertEquals("kvbm:0123456789abcdef:3:fffffffffffffffe", ns.key(-2));
        assertThrows(KvbmException.class, () -> new BlockNamespace("a{b}", 1, 0, 1));
        assertThrows(KvbmException.class, () -> new BlockNamespace("kvbm", 1, -1, 1));
    }

    @Test
    void theFingerprintFollowsModelGeometryAndDtype() {
        long base = BlockNamespace.fingerprint("m@1", G);
        assertEquals(base, BlockNamespace.fingerprint("m@1", G), "stable");
        assertNotEquals(base, BlockNamespace.fingerprint("m@2", G));
        assertNotEquals(base, BlockNamespace.fingerprint("m@1", LayoutConfig.of(1, 3, 2, 16, 64)));
        assertNotEquals(base, BlockNamespace.fingerprint("m@1", new LayoutConfig(1, 2, 2, 16, 64, 1, 4)));
        assertEquals(base, BlockNamespace.fingerprint("m@1", G.withNumBlocks(99)), "the block count is no part of it");
    }

    @Test
    void theHeaderHasTheDocumentedLayoutAndEveryFieldIsChecked() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment payload = arena.allocate(256).fill((byte) 9);
            int crc = RemoteValueFormat.payloadChecksum(List.of(payload));
            ByteBuffer header = RemoteValueFormat.header(77, 5, 256, crc);
            assertEquals(RemoteValueFormat.HEADER_BYTES, header.remaining());
            ByteBuffer le = header.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            assertEquals('K', le.get(0));
            assertEquals('4', le.get(3));
            assertEquals(1, le.getShort(4));
            assertEquals(40, le.getShort(6));
            assertEquals(77, le.getLong(8));
            assertEquals(5, le.getLong(16));
            assertEquals(256, le.getLong(24));
            assertEquals(crc, le.getInt(32));
            ByteBuffer value = ByteBuffer.allocate(296);
            value.put(header.duplicate()).put(payload.asByteBuffer()).flip();
            assertEquals(RemoteValueFormat.Verdict.OK, RemoteValueFormat.checkHeader(value, 77, 5, 256));
            assertTrue(RemoteValueFormat.verifyPayload(value));
            assertEquals(RemoteValueFormat.Verdict.WRONG_NAMESPACE, RemoteValueFormat.checkHeader(value, 78, 5, 256));
            assertEquals(RemoteValueFormat.Verdict.WRONG_BLOCK, RemoteValueFormat.checkHeader(value, 77, 6, 256));
            assertEquals(RemoteValueFormat.Verdict.WRONG_LENGTH, RemoteValueFormat.checkHeader(value, 77, 5, 255));
            assertEquals(RemoteValueFormat.Verdict.TOO_SHORT, RemoteValueFormat.checkHeader(value.duplicate().limit(39), 77, 5, 256));
            value.put(100, (byte) 8);
            assertTrue(!RemoteValueFormat.verifyPayload(value), "a changed payload byte fails the CRC32C");
            value.put(9, (byte) 1);
            assertEquals(RemoteValueFormat.Verdict.BAD_HEADER_CHECKSUM, RemoteValueFormat.checkHeader(value, 77, 5, 256));
            value.put(0, (byte) 0);
            assertEquals(RemoteValueFormat.Verdict.BAD_MAGIC, RemoteValueFormat.checkHeader(value, 77, 5, 256));
        }
    }
}
