package dev.kvbm.tier.disk.internal;

import dev.kvbm.api.spi.ProbedProvider;
import dev.kvbm.api.spi.StorageKind;
import dev.kvbm.api.spi.TransferEngine;
import dev.kvbm.api.spi.TransferEngineProvider;
import dev.kvbm.tier.disk.DiskTierOptions;
import java.util.Map;

/** {@code posix}: host <-> disk positional I/O on the file's channel; pure Java, always available. */
public final class PosixEngineProvider extends ProbedProvider implements TransferEngineProvider {
    public static final String NAME = dev.kvbm.api.spi.ProviderNames.POSIX;
    static final int PREFERENCE = 10;

    public PosixEngineProvider() {
        super(NAME, "host <-> disk positional reads/writes (O_DIRECT straight from aligned host memory, bounce buffer "
                + "otherwise; whole blocks or coalesced regions on kvbm-disk-io-N threads)");
    }

    @Override
    public int preference(StorageKind source, StorageKind target) {
        boolean write = source.hostAddressable() && target == StorageKind.DISK;
        boolean read = source == StorageKind.DISK && target.hostAddressable();
        return write || read ? PREFERENCE : UNSUPPORTED;
    }

    @Override
    public TransferEngine create(Map<String, String> options) {
        Map<String, String> o = options == null ? Map.of() : options;
        return new PosixTransferEngine((int) Options.longOption(o, DiskTierOptions.POSIX_THREADS, 4, 1, 64));
    }
}
