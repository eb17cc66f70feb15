package dev.kvbm.tier.disk.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.StorageKind;
import dev.kvbm.api.spi.TransferEngine;
import dev.kvbm.api.spi.TransferEngineProvider;
import java.util.Map;
import java.util.Optional;

/** {@code cufile}: G1 (device memory) <-> G3 through GPUDirect Storage, when libcufile and a GPU are present. */
public final class CuFileEngineProvider implements TransferEngineProvider {
    public static final String NAME = dev.kvbm.api.spi.ProviderNames.CUFILE;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "device <-> disk through GPUDirect Storage (libcufile over FFM)";
    }

    @Override
    public boolean isAvailable() {
        return CuFile.isAvailable();
    }

    @Override
    public Optional<String> unavailabilityCause() {
        return CuFile.unavailabilityCause();
    }

    @Override
    public int preference(StorageKind source, StorageKind target) {
        boolean write = source == StorageKind.DEVICE && target == StorageKind.DISK;
        boolean read = source == StorageKind.DISK && target == StorageKind.DEVICE;
        return write || read ? 30 : UNSUPPORTED;
    }

    @Override
    public TransferEngine create(Map<String, String> options) {
        unavailabilityCause().ifPresent(cause -> {
            throw new KvbmException(ErrorCode.PROVIDER_UNAVAILABLE, "cufile engine: " + cause);
        });
        return new CuFileTransferEngine(4);
    }
}
