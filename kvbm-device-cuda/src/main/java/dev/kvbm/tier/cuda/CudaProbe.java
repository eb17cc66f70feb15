package dev.kvbm.tier.cuda;

import dev.kvbm.tier.cuda.internal.CudaDriver;
import java.util.Optional;

/**
 * Whether the CUDA driver can be used here, probed once: JCuda's JNI library loaded, {@code cuInit(0)} succeeded,
 * the driver supports CUDA 12 and at least one device is visible. Otherwise {@link #unavailabilityCause()} says
 * which (e.g. {@code libcuda.so.1: cannot open shared object file: No such file or directory (...)}).
 */
public final class CudaProbe {
    private CudaProbe() {
    }

    public static boolean isAvailable() {
        return CudaDriver.available();
    }

    public static Optional<String> unavailabilityCause() {
        return CudaDriver.unavailabilityCause();
    }

    /** Visible devices; 0 when unavailable. */
    public static int deviceCount() {
        return CudaDriver.deviceCount();
    }

    /** {@code cuDriverGetVersion}, 0 when the driver did not load. */
    public static int driverVersion() {
        return CudaDriver.driverVersion();
    }
}
