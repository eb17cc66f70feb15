package dev.kvbm.tier.disk.internal;

import dev.kvbm.api.spi.ProbedProvider;
import dev.kvbm.api.spi.StorageKind;
import dev.kvbm.api.spi.TransferEngine;
import dev.kvbm.api.spi.TransferEngineProvider;
import dev.kvbm.nativeio.libc.LibC;
import dev.kvbm.tier.disk.DiskTierOptions;
import java.util.Map;
import java.util.Optional;

/**
 * {@code io_uring}: host <-> disk through io_uring (raw syscalls over FFM). Probed once by setting up a small
 * ring; where the kernel or the sandbox refuses (ENOSYS, EPERM from seccomp or {@code kernel.io_uring_disabled})
 * it is unavailable with that reason and {@code posix} serves the paths.
 */
public final class IoUringEngineProvider extends ProbedProvider implements TransferEngineProvider {
    public static final String NAME = dev.kvbm.api.spi.ProviderNames.IO_URING;
    static final int PREFERENCE = 15;
    private static final String FAILURE = probeRing();

    private static String probeRing() {
        if (!LibC.isAvailable()) {
            return LibC.unavailabilityCause().orElseThrow();
        }
        try (IoUring ring = IoUring.create(4)) {
            return ring.entries >= 4 ? null : "io_uring_setup gave " + ring.entries + " entries";
        } catch (RuntimeException e) {
            return e.getMessage();
        }
    }

    public IoUringEngineProvider() {
        super(NAME, "host <-> disk through io_uring (raw syscalls and mmap'd rings over FFM; unaligned transfers via posix)");
    }

    /** The ring was set up once per process (FAILURE); this only reads the result. */
    @Override
    protected Optional<String> probe() {
        return Optional.ofNullable(FAILURE);
    }

    @Override
    public int preference(StorageKind source, StorageKind target) {
        boolean write = source.hostAddressable() && target == StorageKind.DISK;
        boolean read = source == StorageKind.DISK && target.hostAddressable();
        return write || read ? PREFERENCE : UNSUPPORTED;
    }

    @Override
    public TransferEngine create(Map<String, String> options) {
        requireAvailable("create an engine");
        Map<String, String> o = options == null ? Map.of() : options;
        int depth = (int) Options.longOption(o, DiskTierOptions.IO_URING_DEPTH, 4, 1, 4096);
        int threads = (int) Options.longOption(o, DiskTierOptions.POSIX_THREADS, 4, 1, 64);
        return new IoUringTransferEngine(depth, threads);
    }
}
