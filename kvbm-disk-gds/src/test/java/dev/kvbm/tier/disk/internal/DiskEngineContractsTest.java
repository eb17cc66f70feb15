package dev.kvbm.tier.disk.internal;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kvbm.api.layout.BlockLayout;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.spi.PhysicalLayout;
import dev.kvbm.api.spi.Storage;
import dev.kvbm.api.spi.TransferEngine;
import dev.kvbm.api.spi.TransferEngineProvider;
import dev.kvbm.nativeio.libc.LibC;
import dev.kvbm.tck.TransferEngineContract;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;

/** The TCK's engine contract for each disk engine: pinned-style host memory to and from O_DIRECT cache files. */
class DiskEngineContractsTest {

    abstract static class DiskContract extends TransferEngineContract {
        private DiskAllocator disk;
        private Path dir;

        abstract TransferEngineProvider provider();

        @Override
        protected TransferEngine createEngine() {
            TransferEngineProvider p = provider();
            assumeTrue(p.isAvailable(), () -> p.name() + " is unavailable here: " + p.unavailabilityCause().orElse("?"));
            return p.create(Map.of());
        }

        @Override
        protected PhysicalLayout hostLayout(LayoutConfig config, LayoutType type) {
            BlockLayout l = BlockLayout.of(config, type);
            List<Storage> s = new ArrayList<>();
            for (int i = 0; i < l.numStorageRegions(); i++) {
                s.add(new HostMemory(l.requiredAllocationSize(), 0));
            }
            return new PhysicalLayout(l, s);
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
            BlockLayout l = BlockLayout.of(config, type);
            List<Storage> s = new ArrayList<>();
            for (int i = 0; i < l.numStorageRegions(); i++) {
                s.add(disk.allocate(l.requiredAllocationSize(), 4096));
            }
            return new PhysicalLayout(l, s);
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
        TransferEngineProvider provider() {
            return new PosixEngineProvider();
        }
    }

    @Nested
    class IoUring extends DiskContract {
        @Override
        TransferEngineProvider provider() {
            return new IoUringEngineProvider();
        }
    }
}
