package dev.kvbm.tier.disk.internal;

import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.spi.PhysicalLayout;
import dev.kvbm.api.spi.StorageKind;
import dev.kvbm.api.spi.TransferEngine;
import dev.kvbm.api.spi.TransferEngineProvider;
import dev.kvbm.tck.Behavior;
import dev.kvbm.tck.HostLayouts;
import dev.kvbm.tck.TierProviderContract;
import dev.kvbm.nativeio.libc.LibC;
import dev.kvbm.tck.TransferEngineContract;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;

/** The TCK's engine contract for each disk engine: pinned-style host memory to and from O_DIRECT cache files. */
class DiskEngineContractsTest {

    abstract static class DiskContract extends TransferEngineContract {
        private DiskAllocator disk;
        private Path dir;

        /** An engine of {@code p}, or a skip naming why it cannot run here (io_uring: seccomp, io_uring_disabled). */
        static TransferEngine engineOf(TransferEngineProvider p) {
            TierProviderContract.assumeAvailable(p);
            return p.create(Map.of());
        }

        @Override
        protected PhysicalLayout hostLayout(LayoutConfig config, LayoutType type) {
            return HostLayouts.allocate(config, type, StorageKind.PINNED);
        }

        @Override
        protected PhysicalLayout layoutUnderTest(LayoutConfig config, LayoutType type) {
            try {
                if (disk == null) {
                    Files.createDirectories(Path.of("target"));
                    dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "tck");
                    disk = new DiskAllocator(dir, true, false, Long.MAX_VALUE, LibC::fallocate);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return HostLayouts.allocate(disk, config, type, 4096);
        }

        @AfterEach
        void closeDisk() throws IOException {
            if (disk != null) {
                disk.close();
                try (var files = Files.list(dir)) {
                    files.forEach(f -> f.toFile().delete());
                }
                Files.deleteIfExists(dir);
            }
        }
    }

    @Nested
    class Posix extends DiskContract {
        @Override
        protected TransferEngine createEngine() {
            return engineOf(new PosixEngineProvider());
        }
    }

    @Nested
    class IoUring extends DiskContract {
        @Override
        protected TransferEngine createEngine() {
            return engineOf(new IoUringEngineProvider());
        }
    }

    /** nixl over the C fixture library of NixlBindingTest (plain files behind the bound nixl_capi_* calls). */
    @Nested
    class NixlFixture extends DiskContract {
        @Override
        protected TransferEngine createEngine() {
            try {
                return NixlEngineProvider.create(NixlCapi.load(NixlBindingTest.fixture()), "POSIX");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        @Override
        protected boolean hasBehavior(Behavior behavior) {
            return behavior != Behavior.UNALIGNED_RUNS; // O_DIRECT as given: it refuses what posix bounces
        }
    }
}
