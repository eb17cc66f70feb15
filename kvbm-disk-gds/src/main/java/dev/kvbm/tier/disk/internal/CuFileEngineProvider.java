package dev.kvbm.tier.disk.internal;

import dev.kvbm.api.spi.ProbedProvider;
import dev.kvbm.api.spi.StorageKind;
import dev.kvbm.api.spi.TransferEngine;
import dev.kvbm.api.spi.TransferEngineProvider;
import java.util.Map;
import java.util.Optional;

/** {@code cufile}: G1 (device memory) <-> G3 through GPUDirect Storage, when libcufile and a GPU are present. */
public final class CuFileEngineProvider extends ProbedProvider implements TransferEngineProvider {
    public static final String NAME = dev.kvbm.api.spi.ProviderNames.CUFILE;

    public CuFileEngineProvider() {
        super(NAME, "device <-> disk through GPUDirect Storage (libcufile over FFM)");
    }

    /** CuFile probes once per process (loading libcufile); this only reads its result. */
    @Override
    protected Optional<String> probe() {
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
        requireAvailable("create an engine");
        return new CuFileTransferEngine(4);
    }
}
