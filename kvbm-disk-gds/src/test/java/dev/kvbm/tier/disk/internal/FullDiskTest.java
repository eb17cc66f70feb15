package dev.kvbm.tier.disk.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.layout.BlockLayout;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.spi.BlockPair;
import dev.kvbm.api.spi.PhysicalLayout;
import dev.kvbm.api.spi.StorageKind;
import dev.kvbm.tck.TestHostMemory;
import dev.kvbm.nativeio.libc.LibC;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A real file system that fills up: an 8 MiB tmpfs mounted for the test (needs root, as CI runs; skipped
 * through an assumption where mounting is refused).
 */
@Tag("fault")
class FullDiskTest {
    private Path mount;

    @BeforeEach
    void mountSmallTmpfs() throws IOException, InterruptedException {
        Files.createDirectories(Path.of("target"));
        mount = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "tmpfs");
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", mount.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        boolean mounted = p.waitFor() == 0;
        if (!mounted) {
            Files.delete(mount);
        }
        assumeTrue(mounted, "cannot mount a tmpfs here (needs root): " + out.trim());
    }

    @AfterEach
    void unmount() throws IOException, InterruptedException {
        if (mount != null && Files.isDirectory(mount)) {
            new ProcessBuilder("umount", mount.toString()).inheritIO().start().waitFor();
            Files.delete(mount);
        }
    }

    @Test
    void aTierLargerThanTheFileSystemIsRefusedBeforeWriting() throws IOException {
        try (DiskAllocator a = new DiskAllocator(mount, false, false, Long.MAX_VALUE, LibC::fallocate)) {
            KvbmException e = assertThrows(KvbmException.class, () -> a.allocate(16L << 20, 4096));
            assertEquals(ErrorCode.ALLOCATION_FAILED, e.code());
            try (Stream<Path> files = Files.list(mount)) {
                assertEquals(0, files.count(), "nothing was written");
            }
        }
    }

    @Test
    void aFullDiskFailsWritesToSparseFilesOnlyAndNeverTheSource() throws IOException {
        LayoutConfig g = new LayoutConfig(8, 1, 1, 16, 8192, 4096, 2); // 256 KiB blocks, 2 MiB per layout
        BlockLayout layout = BlockLayout.of(g, LayoutType.FULLY_CONTIGUOUS);
        TestHostMemory mem = TestHostMemory.allocate(layout.requiredAllocationSize(), StorageKind.PINNED, 0);
        PhysicalLayout host = new PhysicalLayout(layout, List.of(mem));
        TestHostMemory backMem = TestHostMemory.allocate(layout.requiredAllocationSize(), StorageKind.PINNED, 0);
        PhysicalLayout back = new PhysicalLayout(layout, List.of(backMem));
        for (int b = 0; b < 8; b++) {
            PosixTransferEngineTest.fill(host, b, b + 100);
        }
        try (DiskAllocator preallocated = new DiskAllocator(mount, false, false, Long.MAX_VALUE, LibC::fallocate);
             DiskAllocator sparse = new DiskAllocator(mount, false, false, Long.MAX_VALUE,
                     (fd, off, len) -> -LibC.EOPNOTSUPP);
             PosixTransferEngine engine = new PosixTransferEngine(2)) {
            PhysicalLayout reserved = new PhysicalLayout(layout,
                    List.of(preallocated.allocate(layout.requiredAllocationSize(), 4096)));
            PhysicalLayout holes = new PhysicalLayout(layout,
                    List.of(sparse.allocate(layout.requiredAllocationSize(), 4096)));
            fillUp(mount.resolve("filler"));
            assertEquals(0, Files.getFileStore(mount).getUsableSpace(), "the file system is full");

            engine.transfer(host, reserved, List.of(new BlockPair(0, 7), new BlockPair(1, 0))).join();
            CompletionException e = assertThrows(CompletionException.class,
                    () -> engine.transfer(host, holes, List.of(new BlockPair(2, 3), new BlockPair(3, 4))).join());
            KvbmException k = assertInstanceOf(KvbmException.class, e.getCause());
            assertEquals(ErrorCode.TRANSFER_FAILED, k.code());
            assertTrue(k.getMessage().contains("space"), k.getMessage());
            for (int b = 0; b < 8; b++) {
                assertTrue(PosixTransferEngineTest.matches(host, b, b + 100), "source block " + b + " untouched");
            }
            // The preallocated file still serves reads after the failure.
            engine.transfer(reserved, back, List.of(new BlockPair(7, 0), new BlockPair(0, 1))).join();
            assertTrue(PosixTransferEngineTest.matches(back, 0, 100));
            assertTrue(PosixTransferEngineTest.matches(back, 1, 101));
            Files.delete(mount.resolve("filler"));
        } finally {
            mem.close();
            backMem.close();
        }
        try (Stream<Path> files = Files.list(mount)) {
            assertFalse(files.findAny().isPresent(), "closing the tiers unlinked their files");
        }
    }

    private static void fillUp(Path file) throws IOException {
        byte[] chunk = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int i = 0; i < 1024; i++) { // bounded: at most 64 MiB, far above the 8 MiB tmpfs
                out.write(chunk);
            }
        } catch (IOException expected) {
            // ENOSPC: the file system is full, which is the point
        }
    }
}
