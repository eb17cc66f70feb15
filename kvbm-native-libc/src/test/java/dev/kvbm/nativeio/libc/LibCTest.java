package dev.kvbm.nativeio.libc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The libc binding against the real libc (the build passes --enable-native-access=dev.kvbm.nativeio.libc). */
class LibCTest {

    @BeforeEach
    void bound() {
        assumeTrue(LibC.isAvailable(), () -> LibC.unavailabilityCause().orElse(""));
    }

    @Test
    void memcpyCopiesBetweenNativeSegments() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment src = arena.allocateFrom(ValueLayout.JAVA_BYTE, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
            MemorySegment dst = arena.allocate(8);
            LibC.memcpy(dst, src, 8);
            assertArrayEquals(src.toArray(ValueLayout.JAVA_BYTE), dst.toArray(ValueLayout.JAVA_BYTE));
        }
    }

    @Test
    void fileCallsReturnMinusErrnoAndWorkOnARealFile(@TempDir Path dir) throws IOException {
        assertEquals(-LibC.ENOENT, LibC.open(dir.resolve("missing/file").toString(), LibC.O_RDWR, 0600));
        Path file = Files.createFile(dir.resolve("f"));
        int fd = LibC.open(file.toString(), LibC.O_RDWR | LibC.O_CLOEXEC, 0600);
        assertTrue(fd >= 0, "open: " + LibC.errnoName(fd));
        try {
            assertEquals(0, LibC.ftruncate(fd, 8192));
            assertEquals(8192, Files.size(file));
        } finally {
            assertEquals(0, LibC.close(fd));
        }
        assertEquals(-9, LibC.close(fd), "a closed descriptor is EBADF");
    }

    @Test
    void mlockReportsTheLimitAndLocksWithinIt() {
        long limit = LibC.memlockLimit();
        assertTrue(limit == Long.MAX_VALUE || limit >= 0, "RLIMIT_MEMLOCK " + limit);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment page = arena.allocate(4096, 4096);
            int rc = LibC.mlock(page);
            assertTrue(rc == 0 || rc == LibC.ENOMEM || rc == LibC.EPERM || rc == LibC.EAGAIN, LibC.errnoName(rc));
            if (rc == 0) {
                assertEquals(0, LibC.munlock(page));
            }
        }
    }

    @Test
    void errnoNamesAndTheNativeAccessMessageNameWhatToDo() {
        assertEquals("ENOSPC", LibC.errnoName(-LibC.ENOSPC));
        assertEquals("errno 200", LibC.errnoName(200));
        String m = LibC.nativeAccessMessage(LibC.MODULE);
        assertTrue(m.contains("--enable-native-access=dev.kvbm.nativeio.libc") && m.contains("ALL-UNNAMED"), m);
    }

    @Test
    void aRefusedMmapIsANativeFailure() {
        KvbmException e = assertThrows(KvbmException.class, () -> LibC.mmapShared(-1, 4096, 0));
        assertEquals(ErrorCode.NATIVE_FAILURE, e.code());
        assertTrue(e.getMessage().contains("EBADF") || e.getMessage().contains("errno 9"), e.getMessage());
    }
}
