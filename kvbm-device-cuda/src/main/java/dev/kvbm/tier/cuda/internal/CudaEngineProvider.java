package dev.kvbm.tier.cuda.internal;

import dev.kvbm.api.spi.ProbedProvider;
import dev.kvbm.api.spi.StorageKind;
import dev.kvbm.api.spi.TransferEngine;
import dev.kvbm.api.spi.TransferEngineProvider;
import dev.kvbm.tier.cuda.CudaOptions;
import java.util.Map;
import java.util.Optional;

/**
 * {@code cuda}: DEVICE&lt;-&gt;SYSTEM/PINNED and DEVICE-&gt;DEVICE copies through the CUDA driver. Options: see
 * {@link dev.kvbm.tier.cuda.CudaOptions} ({@code kvbm.cuda.kernel}, {@code kvbm.cuda.kernel.max.region.bytes},
 * {@code kvbm.cuda.kernel.min.regions}).
 */
public final class CudaEngineProvider extends ProbedProvider implements TransferEngineProvider {
    public static final String NAME = CudaOptions.PROVIDER;

    public CudaEngineProvider() {
        super(NAME, "device<->host and device<->device copies through the CUDA driver");
    }

    /** CudaDriver probes once per process; this only reads its result. */
    @Override
    protected Optional<String> probe() {
        return CudaDriver.unavailabilityCause();
    }

    @Override
    public String description() {
        return "device<->host and device<->device copies (cuMemcpyAsync per block or region, or a batched copy kernel"
                + " over pointer tables; separate offload/onboard streams; event completion)"
                + (isAvailable() ? "" : "; unavailable");
    }

    @Override
    public int preference(StorageKind source, StorageKind target) {
        boolean device = source == StorageKind.DEVICE || target == StorageKind.DEVICE;
        boolean other = (source == StorageKind.DEVICE || source.hostAddressable())
                && (target == StorageKind.DEVICE || target.hostAddressable());
        return device && other ? 100 : UNSUPPORTED;
    }

    @Override
    public TransferEngine create(Map<String, String> options) {
        requireAvailable("create a transfer engine");
        return new CudaTransferEngine(CopyStrategy.Settings.from(options == null ? Map.of() : options));
    }
}
