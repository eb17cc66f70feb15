package dev.kvbm.tier.disk.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.Tier;
import dev.kvbm.api.config.ConfigKeys;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.spi.FileStorage;
import dev.kvbm.api.spi.StorageAllocator;
import dev.kvbm.api.spi.StorageKind;
import dev.kvbm.api.spi.TierConfig;
import dev.kvbm.nativeio.libc.LibC;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class DiskAllocatorTest {
    private Path dir;

    @BeforeEach
    void setUp() throws IOException {
        Files.createDirectories(Path.of("target"));
        dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "disk-alloc");
    }

    @AfterEach
    void tearDown() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(dir);
    }

    private long filesInDir() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.count();
        }
    }

    /** st_blocks x 512, through stat(1): the JDK does not expose allocated blocks. */
    static long allocatedBytes(Path file) throws IOException {
        Process p = new ProcessBuilder("stat", "--format=%b", file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        try {
            p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Long.parseLong(out) * 512;
    }

    private static TierConfig config(Map<String, String> options) {
        return new TierConfig(Tier.G3, LayoutConfig.of(4, 2, 2, 16, 64), LayoutType.FULLY_CONTIGUOUS, options);
    }

    @Test
    void providerServesG3WithDiskStorage() {
        DiskTierProvider p = new DiskTierProvider();
        assertTrue(p.isAvailable(), () -> p.unavailabilityCause().orElse(""));
        assertEquals(java.util.Set.of(Tier.G3), p.tiers());
        assertEquals(StorageKind.DISK, p.storageKind());
    }

    @Test
    void fileIsPrivatePreallocatedDirectAndUnlinkedOnClose() throws IOException {
        try (StorageAllocator a = new DiskTierProvider().createAllocator(config(Map.of(ConfigKeys.DISK_CACHE_DIR,
                dir.toString())))) {
            FileStorage f = (FileStorage) a.allocate(10_000, 4096);
            assertEquals(StorageKind.DISK, f.kind());
            assertEquals(0, f.address(), "layout offsets are file offsets");
            assertEquals(12_288, f.size(), "rounded up to whole logical blocks");
            assertEquals(12_288, a.outstanding());
            assertTrue(f.fileDescriptor() >= 0);
            assertTrue(((DiskFileStorage) f).direct());
            assertEquals(DiskAllocator.probeAlignment(dir), f.ioAlignment());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f.path())));
            assertEquals(12_288, Files.size(f.path()));
            assertTrue(allocatedBytes(f.path()) >= 12_288, "fallocate reserved the blocks: the file is not sparse");
            assertTrue(f.path().getFileName().toString().startsWith("kvbm-g3-" + ProcessHandle.current().pid() + "-"));
            f.close();
            f.close();
            assertFalse(Files.exists(f.path()));
            assertEquals(0, a.outstanding());
        }
        assertEquals(0, filesInDir());
    }

    @Test
    void closingTheAllocatorUnlinksWhatIsLeft() throws IOException {
        StorageAllocator a = new DiskTierProvider().createAllocator(config(Map.of(ConfigKeys.DISK_CACHE_DIR,
                dir.toString())));
        a.allocate(4096, 4096);
        a.allocate(8192, 4096);
        assertEquals(2, filesInDir());
        a.close();
        assertEquals(0, filesInDir());
        KvbmException e = assertThrows(KvbmException.class, () -> a.allocate(4096, 4096));
        assertEquals(ErrorCode.INVALID_STATE, e.code());
    }

    @Test
    void staleFilesOfEndedProcessesAreRemovedAtStartAndLiveOnesKept() throws IOException {
        // A process that has ended: pid of a short-lived child.
        Process p = new ProcessBuilder("true").start();
        long deadPid = p.pid();
        try {
            p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Path stale = Files.createFile(dir.resolve(DiskAllocator.fileName(deadPid, 1_000, 7)));
        Path reused = Files.createFile(dir.resolve(DiskAllocator.fileName(ProcessHandle.current().pid(),
                DiskAllocator.PROCESS_START_MILLIS - 3_600_000, 1))); // our pid, but another start time
        Path mine = Files.createFile(dir.resolve(DiskAllocator.fileName(ProcessHandle.current().pid(),
                DiskAllocator.PROCESS_START_MILLIS, 9_999)));
        Path unrelated = Files.createFile(dir.resolve("notes.txt"));
        DiskAllocator a = (DiskAllocator) new DiskTierProvider().createAllocator(config(Map.of(
                ConfigKeys.DISK_CACHE_DIR, dir.toString())));
        a.close();
        assertEquals(DiskAllocator.PROCESS_START_MILLIS == 0 ? 1 : 2, a.removedStale());
        assertFalse(Files.exists(stale));
        assertTrue(Files.exists(mine), "a file of a live process stays");
        assertTrue(Files.exists(unrelated));
        assertEquals(DiskAllocator.PROCESS_START_MILLIS != 0, !Files.exists(reused));
        Files.deleteIfExists(reused);
        Files.delete(mine);
        Files.delete(unrelated);
    }

    @Test
    void aSizeAboveTheFreeSpaceIsRefusedBeforeAnythingIsWritten() throws IOException {
        long free = Files.getFileStore(dir).getUsableSpace();
        try (StorageAllocator a = new DiskTierProvider().createAllocator(config(Map.of(ConfigKeys.DISK_CACHE_DIR,
                dir.toString())))) {
            KvbmException e = assertThrows(KvbmException.class, () -> a.allocate(free + (1L << 30), 4096));
            assertEquals(ErrorCode.ALLOCATION_FAILED, e.code());
            assertEquals("g3Blocks", e.field().orElseThrow());
            assertTrue(e.getMessage().contains("free"), e.getMessage());
            assertEquals(0, a.outstanding());
        }
        assertEquals(0, filesInDir());
    }

    @Test
    void refusedFallocateZeroFillsWhenTheFallbackIsOn() throws IOException {
        AtomicInteger calls = new AtomicInteger();
        try (DiskAllocator a = new DiskAllocator(dir, true, true, Long.MAX_VALUE, (fd, off, len) -> {
            calls.incrementAndGet();
            return -LibC.EOPNOTSUPP;
        })) {
            FileStorage f = (FileStorage) a.allocate(3 * 4096, 4096);
            assertEquals(1, calls.get());
            assertEquals(3 * 4096, Files.size(f.path()));
            ByteBuffer b = ByteBuffer.allocate(3 * 4096);
            try (var ch = java.nio.channels.FileChannel.open(f.path())) {
                while (b.hasRemaining() && ch.read(b) > 0) {
                    // read all
                }
            }
            for (int i = 0; i < b.capacity(); i++) {
                assertEquals(0, b.get(i));
            }
        }
    }

    @Test
    void refusedFallocateWithoutFallbackLeavesASparseFile() throws IOException {
        try (DiskAllocator a = new DiskAllocator(dir, false, false, Long.MAX_VALUE, (fd, off, len) -> -LibC.EOPNOTSUPP)) {
            FileStorage f = (FileStorage) a.allocate(8192, 4096);
            assertEquals(8192, Files.size(f.path()));
            assertEquals(0, allocatedBytes(f.path()), "sparse: nothing allocated");
            assertEquals(1, f.ioAlignment(), "without O_DIRECT nothing needs aligning");
        }
    }

    @Tag("fault")
    @Test
    void fallocateFailingWithEnospcFailsTheAllocationAndLeavesNoFile() throws IOException {
        try (DiskAllocator a = new DiskAllocator(dir, true, true, Long.MAX_VALUE, (fd, off, len) -> -LibC.ENOSPC)) {
            KvbmException e = assertThrows(KvbmException.class, () -> a.allocate(8192, 4096));
            assertEquals(ErrorCode.ALLOCATION_FAILED, e.code());
            assertTrue(e.getMessage().contains("ENOSPC"), e.getMessage());
            assertEquals(0, a.outstanding());
        }
        assertEquals(0, filesInDir());
    }

    @Test
    void limitAndBadOptionsAreRefusedNamingTheKey() {
        try (StorageAllocator a = new DiskTierProvider().createAllocator(config(Map.of(ConfigKeys.DISK_CACHE_DIR,
                dir.toString(), "kvbm.disk.limit.bytes", "8192")))) {
            a.allocate(8192, 4096).close();
            a.allocate(4096, 4096);
            KvbmException e = assertThrows(KvbmException.class, () -> a.allocate(8192, 4096));
            assertEquals(ErrorCode.ALLOCATION_FAILED, e.code());
        }
        KvbmException bad = assertThrows(KvbmException.class, () -> new DiskTierProvider().createAllocator(
                config(Map.of(ConfigKeys.DISK_CACHE_DIR, dir.toString(), "kvbm.disk.limit.bytes", "lots"))));
        assertEquals("kvbm.disk.limit.bytes", bad.field().orElseThrow());
        KvbmException file = assertThrows(KvbmException.class, () -> {
            Path notADir = Files.createFile(dir.resolve("plain"));
            try {
                new DiskTierProvider().createAllocator(config(Map.of(ConfigKeys.DISK_CACHE_DIR, notADir.toString())));
            } finally {
                Files.delete(notADir);
            }
        });
        assertTrue(file.getMessage().contains(ConfigKeys.DISK_CACHE_DIR), file.getMessage());
    }

    @Test
    void aMissingCacheDirectoryIsCreated0700AndRemovedOnClose() throws IOException {
        Path top = dir.resolve("nonexistent");
        Path nested = top.resolve("dir");
        try (StorageAllocator a = new DiskTierProvider().createAllocator(config(Map.of(ConfigKeys.DISK_CACHE_DIR,
                nested.toString())))) {
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(top)));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(nested)));
            a.allocate(1 << 20, 4096);
        }
        assertFalse(Files.exists(top), "what the tier created is gone after close");
        // One that was there stays, and so does a created one in which someone else put a file.
        try (StorageAllocator a = new DiskTierProvider().createAllocator(config(Map.of(ConfigKeys.DISK_CACHE_DIR,
                dir.toString())))) {
            a.allocate(1 << 20, 4096);
        }
        assertTrue(Files.isDirectory(dir));
        Path foreign;
        try (StorageAllocator a = new DiskTierProvider().createAllocator(config(Map.of(ConfigKeys.DISK_CACHE_DIR,
                nested.toString())))) {
            foreign = Files.writeString(nested.resolve("someone-elses"), "x");
        }
        assertTrue(Files.exists(foreign), "a directory with another file in it is left alone");
        Files.delete(foreign);
        Files.delete(nested);
        Files.delete(top);
    }

    @Test
    void aFileWhereTheCacheDirectoryShouldBeIsAConfigurationError() throws IOException {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        for (Path cacheDir : new Path[] {file, file.resolve("below")}) {
            KvbmException e = assertThrows(KvbmException.class, () -> new DiskTierProvider().createAllocator(
                    config(Map.of(ConfigKeys.DISK_CACHE_DIR, cacheDir.toString()))));
            assertEquals(ErrorCode.INVALID_CONFIG, e.code());
            assertEquals(ConfigKeys.DISK_CACHE_DIR + " must name a directory, but " + file + " is a file", e.getMessage());
        }
        Files.delete(file);
    }
}
