package dev.kvbm.tier.disk.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
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
public final class IoUringEngineProvider implements TransferEngineProvider {
    public static final String NAME = dev.kvbm.api.spi.ProviderNames.IO_URING;
    static final int PREFERENCE = 15;
    private static final String FAILURE = probe();

    private static String probe() {
        if (!LibC.isAvailable()) {
            return LibC.unavailabilityCause().orElseThrow();
        }
        try (IoUring ring = IoUring.create(4)) {
            return ring.entries >= 4 ? null : "io_uring_setup gave " + ring.entries + " entries";
        } catch (RuntimeException e) {
            return e.getMessage();
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "host <-> disk through io_uring (raw syscalls and mmap'd rings over FFM; unaligned transfers via posix)";
    }

    @Override
    public boolean isAvailable() {
        return FAILURE == null;
    }

    @Override
    public Optional<String> unavailabilityCause() {
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
        if (FAILURE != null) {
            throw new KvbmException(ErrorCode.PROVIDER_UNAVAILABLE, "io_uring engine: " + FAILURE);
        }
        Map<String, String> o = options == null ? Map.of() : options;
        int depth = (int) Options.longOption(o, DiskTierOptions.IO_URING_DEPTH, 4, 1, 4096);
        int threads = (int) Options.longOption(o, DiskTierOptions.POSIX_THREADS, 4, 1, 64);
        return new IoUringTransferEngine(depth, threads);
    }
}
