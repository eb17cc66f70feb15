package dev.kvbm.examples.shm.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.examples.shm.ShmOptions;
import dev.kvbm.tck.TierProviderContract;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;

/** What makes the tier shared memory: the bytes are the file's, the file is private to the user and goes on close. */
class ShmStorageTest {

    @Test
    void writesThroughTheSegmentAreTheFilesBytesAndCloseRemovesIt() throws IOException {
        TierProviderContract.assumeAvailable(new ShmTierProvider());
        try (ShmAllocator a = new ShmAllocator(Path.of(ShmOptions.DEFAULT_DIRECTORY), 1 << 20)) {
            ShmStorage s = (ShmStorage) a.allocate(10_000, 4096);
            s.segment().set(ValueLayout.JAVA_BYTE, 0, (byte) 0x5a);
            s.segment().set(ValueLayout.JAVA_BYTE, 9_999, (byte) 0x3c);
            Path file = s.file();
            byte[] bytes = Files.readAllBytes(file);
            assertEquals(12_288, bytes.length, "whole pages, zero-filled before mapping");
            assertEquals(0x5a, bytes[0]);
            assertEquals(0x3c, bytes[9_999]);
            assertEquals(0, bytes[10_000], "past the region: zeros");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            assertEquals(12_288, a.outstanding(), "outstanding counts the pages mapped");
            s.close();
            assertFalse(Files.exists(file), "closing removes the file");
            assertThrows(IllegalStateException.class, () -> s.segment().get(ValueLayout.JAVA_BYTE, 0),
                    "the mapping is gone after close");
        }
    }

    @Test
    void aDirectoryThatIsNotThereIsRefusedNamingTheOption() {
        Path missing = Path.of("target", "no-such-shm-dir").toAbsolutePath();
        assertTrue(ShmStorage.probe(missing).orElseThrow().contains(ShmOptions.DIRECTORY));
        ShmTierProvider p = new ShmTierProvider();
        TierProviderContract.assumeAvailable(p);
        KvbmException e = assertThrows(KvbmException.class, () -> p.createAllocator(new dev.kvbm.api.spi.TierConfig(
                dev.kvbm.api.Tier.G2, dev.kvbm.api.layout.LayoutConfig.of(1, 1, 1, 1, 256),
                dev.kvbm.api.layout.LayoutType.FULLY_CONTIGUOUS, java.util.Map.of(ShmOptions.DIRECTORY, missing.toString()))));
        assertEquals(ErrorCode.INVALID_CONFIG, e.code());
        assertEquals(ShmOptions.DIRECTORY, e.field().orElseThrow());
    }
}
