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
import dev.kvbm.api.spi.TransferEngine;
import dev.kvbm.tck.TestHostMemory;
import dev.kvbm.nativeio.libc.LibC;
import dev.kvbm.tier.disk.DiskTierOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The NIXL binding's marshalling, against a small C library the test compiles with gcc into target/ that
 * implements the bound {@code nixl_capi_*} functions over plain files (src/test/c; a fixture, never a
 * product path). Skipped where gcc is missing.
 */
class NixlBindingTest {
    static Path fixture;

    @BeforeAll
    static void compileFixture() throws IOException, InterruptedException {
        fixture = fixture();
    }

    /** Compiles the fixture library into target/ (once per call); skips the caller where gcc is missing. */
    static Path fixture() throws IOException, InterruptedException {
        Path out = Path.of("target", "nixl-fixture").toAbsolutePath();
        Files.createDirectories(out);
        Path library = out.resolve("libnixl_capi_fixture.so");
        Process p;
        try {
            p = new ProcessBuilder("gcc", "-shared", "-fPIC", "-O2", "-Wall", "-Werror", "-o", library.toString(),
                    Path.of("src", "test", "c", "nixl_capi_fixture.c").toAbsolutePath().toString())
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            assumeTrue(false, "gcc is not installed: " + e.getMessage());
            return null;
        }
        String log = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), "the fixture compiles: " + log);
        return library;
    }

    @Test
    void withoutALibraryTheEngineIsUnavailableAndSaysWhy() {
        assumeTrue(System.getProperty(DiskTierOptions.NIXL_LIBRARY) == null
                && System.getenv(DiskTierOptions.NIXL_LIBRARY_ENV) == null, "a NIXL library is configured here");
        NixlEngineProvider p = new NixlEngineProvider();
        assertFalse(p.isAvailable());
        assertTrue(p.unavailabilityCause().orElseThrow().contains("-Dkvbm.disk.nixl.library"), p.unavailabilityCause().get());
        KvbmException e = assertThrows(KvbmException.class, () -> p.create(Map.of()));
        assertEquals(ErrorCode.PROVIDER_UNAVAILABLE, e.code());
    }

    @Test
    void aMissingOrForeignLibraryIsRefusedNamingIt() {
        KvbmException missing = assertThrows(KvbmException.class,
                () -> NixlCapi.load(Path.of("/nonexistent/libnixl_capi.so")));
        assertEquals(ErrorCode.NATIVE_FAILURE, missing.code());
        assertTrue(missing.getMessage().contains("/nonexistent/libnixl_capi.so"), missing.getMessage());
        Path libc = Path.of("/lib/x86_64-linux-gnu/libc.so.6");
        assumeTrue(Files.exists(libc));
        KvbmException foreign = assertThrows(KvbmException.class, () -> NixlCapi.load(libc));
        assertEquals(ErrorCode.NATIVE_FAILURE, foreign.code());
        assertTrue(foreign.getCause() != null, "the linker's failure is kept as the cause");
        assertTrue(foreign.getMessage().contains("nixl_capi_create_agent"), foreign.getMessage());
    }

    @Test
    void blocksRoundTripThroughTheBindingAndStatusesMapToErrors() throws IOException {
        NixlCapi capi = NixlCapi.load(fixture);
        Path dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "nixl");
        LayoutConfig g = new LayoutConfig(6, 2, 2, 16, 128, 4096, 2); // 4 KiB regions
        BlockLayout fc = BlockLayout.of(g, LayoutType.FULLY_CONTIGUOUS);
        BlockLayout ls = BlockLayout.of(g, LayoutType.parse("ls-outer"));
        TestHostMemory src = TestHostMemory.allocate(fc.requiredAllocationSize(), StorageKind.PINNED, 0);
        TestHostMemory[] back = new TestHostMemory[2];
        for (int i = 0; i < 2; i++) {
            back[i] = TestHostMemory.allocate(ls.requiredAllocationSize(), StorageKind.PINNED, 0);
        }
        try (DiskAllocator disk = new DiskAllocator(dir, true, false, Long.MAX_VALUE, LibC::fallocate)) {
            PhysicalLayout host = new PhysicalLayout(fc, List.of(src));
            PhysicalLayout hostLs = new PhysicalLayout(ls, List.of(back));
            PhysicalLayout file = new PhysicalLayout(fc, List.of(disk.allocate(fc.requiredAllocationSize(), 4096)));
            for (int b = 0; b < 6; b++) {
                PosixTransferEngineTest.fill(host, b, b + 7);
            }
            NixlTransferEngine engine = (NixlTransferEngine) NixlEngineProvider.create(capi, "POSIX");
            engine.transfer(host, file, List.of(new BlockPair(0, 3), new BlockPair(1, 4), new BlockPair(5, 0))).join();
            engine.transfer(file, hostLs, List.of(new BlockPair(3, 0), new BlockPair(4, 1), new BlockPair(0, 2))).join();
            assertTrue(PosixTransferEngineTest.matches(hostLs, 0, 7));
            assertTrue(PosixTransferEngineTest.matches(hostLs, 1, 8));
            assertTrue(PosixTransferEngineTest.matches(hostLs, 2, 12));
            assertEquals(4, engine.registrations(), "host FC, the file and both LS layers: registered once each");

            // A read past the end of the file: the fixture's pread comes back short -> NIXL_CAPI_ERROR_BACKEND.
            ((DiskFileStorage) file.storage(0)).channel().truncate(4096);
            CompletionException e = assertThrows(CompletionException.class,
                    () -> engine.transfer(file, hostLs, List.of(new BlockPair(5, 3))).join());
            KvbmException k = assertInstanceOf(KvbmException.class, e.getCause());
            assertEquals(ErrorCode.TRANSFER_FAILED, k.code());
            assertTrue(k.getMessage().contains("NIXL_CAPI_ERROR_BACKEND"), k.getMessage());
            engine.close(); // deregisters everything: the fixture refuses to destroy an agent with registrations
        } finally {
            src.close();
            for (TestHostMemory m : back) {
                m.close();
            }
            Files.delete(dir);
        }
    }

    @Test
    void backendErrorsCarryTheStatusName() {
        NixlCapi capi = NixlCapi.load(fixture);
        KvbmException e = assertThrows(KvbmException.class, () -> NixlEngineProvider.create(capi, "GDS_MT"));
        assertEquals(ErrorCode.NATIVE_FAILURE, e.code());
        assertTrue(e.getMessage().contains("nixl_capi_create_backend(GDS_MT) returned NIXL_CAPI_ERROR_BACKEND"),
                e.getMessage());
        NixlEngineProvider p = new NixlEngineProvider();
        assertEquals(NixlEngineProvider.PREFERENCE, p.preference(StorageKind.DISK, StorageKind.PINNED));
        assertEquals(-1, p.preference(StorageKind.PINNED, StorageKind.PINNED));
    }

    @Test
    void unalignedTransfersAreRefusedWithTheReason() throws IOException {
        NixlCapi capi = NixlCapi.load(fixture);
        Path dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "nixl");
        LayoutConfig g = new LayoutConfig(2, 1, 1, 16, 64, 1, 2); // 2 KiB blocks, unaligned
        BlockLayout fc = BlockLayout.of(g, LayoutType.FULLY_CONTIGUOUS);
        TestHostMemory src = TestHostMemory.allocate(fc.requiredAllocationSize(), StorageKind.PINNED, 0);
        try (DiskAllocator disk = new DiskAllocator(dir, true, false, Long.MAX_VALUE, LibC::fallocate);
             TransferEngine engine = NixlEngineProvider.create(capi, "POSIX")) {
            PhysicalLayout host = new PhysicalLayout(fc, List.of(src));
            PhysicalLayout file = new PhysicalLayout(fc, List.of(disk.allocate(fc.requiredAllocationSize(), 4096)));
            CompletionException e = assertThrows(CompletionException.class,
                    () -> engine.transfer(host, file, List.of(new BlockPair(0, 1))).join());
            assertTrue(e.getCause().getMessage().contains("not aligned"), e.getCause().getMessage());
        } finally {
            src.close();
            Files.delete(dir);
        }
    }
}
