package dev.kvbm.tier.cuda.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.JCudaDriver;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The one class that touches the CUDA driver through JCuda: its static initialiser extracts and loads the JNI
 * library, calls {@code cuInit(0)}, checks the driver version and counts devices, and keeps the first failure as
 * the cause. Everything else calls {@link #call} so a driver error becomes a {@code KvbmException} with the call
 * and the CUDA error name. Contexts are the devices' primary contexts, retained once and made current on each
 * thread that issues work ({@code cuCtxSetCurrent} is cheap).
 */
public final class CudaDriver {
    private static final System.Logger LOG = System.getLogger(CudaDriver.class.getName());
    private static final String CAUSE;
    private static final int DEVICE_COUNT;
    private static final int DRIVER_VERSION;
    private static final ConcurrentHashMap<Integer, CUcontext> CONTEXTS = new ConcurrentHashMap<>();

    static {
        String cause = null;
        int count = 0;
        int version = 0;
        if (Boolean.getBoolean(dev.kvbm.tier.cuda.CudaOptions.DISABLE)) {
            cause = "disabled by -D" + dev.kvbm.tier.cuda.CudaOptions.DISABLE + "=true";
        } else {
            cause = NativeLibraries.platformProblem(System.getProperty("os.name", "?"), System.getProperty("os.arch", "?"))
                    .orElse(null);
        }
        if (cause == null) {
            try {
                NativeLibraries.ensureExtracted(NativeLibraries.DRIVER);
                JCudaDriver.setExceptionsEnabled(true);
                JCudaDriver.cuInit(0);
                int[] out = new int[1];
                JCudaDriver.cuDriverGetVersion(out);
                version = out[0];
                cause = ProbeMessages.driverVersion(version).orElse(null);
                if (cause == null) {
                    JCudaDriver.cuDeviceGetCount(out);
                    count = out[0];
                    if (count == 0) {
                        cause = ProbeMessages.noDevice();
                    }
                }
            } catch (CudaException e) {
                cause = ProbeMessages.driverError("cuInit/cuDeviceGetCount", e.getMessage());
            } catch (KvbmException e) {
                cause = e.getMessage();
            } catch (LinkageError | RuntimeException e) {
                cause = ProbeMessages.loadFailure(e);
            }
        }
        CAUSE = cause;
        DEVICE_COUNT = cause == null ? count : 0;
        DRIVER_VERSION = version;
        if (cause != null) {
            LOG.log(System.Logger.Level.DEBUG, "CUDA unavailable: " + cause);
        }
    }

    private CudaDriver() {
    }

    public static Optional<String> unavailabilityCause() {
        return Optional.ofNullable(CAUSE);
    }

    public static boolean available() {
        return CAUSE == null;
    }

    public static int deviceCount() {
        return DEVICE_COUNT;
    }

    /** {@code cuDriverGetVersion} (e.g. 12040 for CUDA 12.4), or 0 when the driver never loaded. */
    public static int driverVersion() {
        return DRIVER_VERSION;
    }

    /** Fails with {@code PROVIDER_UNAVAILABLE} and the cause when CUDA cannot run here. */
    static void requireAvailable(String what) {
        if (CAUSE != null) {
            throw KvbmException.forField(ErrorCode.PROVIDER_UNAVAILABLE, "provider", what + " is unavailable: " + CAUSE);
        }
    }

    /** Fails naming the option and the range when {@code ordinal} is not a device of this machine. */
    static void checkOrdinal(String field, long ordinal) {
        if (ordinal < 0 || ordinal >= DEVICE_COUNT) {
            throw KvbmException.invalid(field, ordinal, "a CUDA device ordinal in 0.." + (DEVICE_COUNT - 1));
        }
    }

    /** Makes {@code ordinal}'s primary context current on this thread, retaining it the first time. */
    static void makeCurrent(int ordinal) {
        requireAvailable("CUDA");
        CUcontext ctx = CONTEXTS.computeIfAbsent(ordinal, o -> call("cuDevicePrimaryCtxRetain(device " + o + ")", () -> {
            CUdevice dev = new CUdevice();
            JCudaDriver.cuDeviceGet(dev, o);
            CUcontext c = new CUcontext();
            JCudaDriver.cuDevicePrimaryCtxRetain(c, dev);
            return c;
        }));
        run("cuCtxSetCurrent", () -> JCudaDriver.cuCtxSetCurrent(ctx));
    }

    static int attribute(int ordinal, int attribute) {
        return call("cuDeviceGetAttribute(" + attribute + ")", () -> {
            CUdevice dev = new CUdevice();
            JCudaDriver.cuDeviceGet(dev, ordinal);
            int[] out = new int[1];
            JCudaDriver.cuDeviceGetAttribute(out, attribute, dev);
            return out[0];
        });
    }

    /** Compute capability as major * 10 + minor (90 for an H100). */
    static int computeCapability(int ordinal) {
        return attribute(ordinal, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR) * 10
                + attribute(ordinal, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
    }

    static String deviceName(int ordinal) {
        return call("cuDeviceGetName", () -> {
            CUdevice dev = new CUdevice();
            JCudaDriver.cuDeviceGet(dev, ordinal);
            byte[] name = new byte[256];
            JCudaDriver.cuDeviceGetName(name, name.length, dev);
            int len = 0;
            while (len < name.length && name[len] != 0) {
                len++;
            }
            return new String(name, 0, len, java.nio.charset.StandardCharsets.US_ASCII);
        });
    }

    /** A JCuda pointer to a raw address: a device pointer, or (unified addressing) a host address. */
    static CUdeviceptr pointer(long address) {
        return new CUdeviceptr().withByteOffset(address);
    }

    /** A device pointer JCuda fills in ({@code cuMemAlloc}) whose raw address kvbm can read back. */
    static final class RawPointer extends CUdeviceptr {
        long address() {
            return getNativePointer() + getByteOffset();
        }
    }

    /** Host pointer form of a raw address, for calls that take a {@link Pointer}. */
    static Pointer hostPointer(long address) {
        return pointer(address);
    }

    /** Runs a driver call; a CUDA error becomes {@code NATIVE_FAILURE} naming {@code what} and the CUDA error. */
    static <T> T call(String what, Supplier<T> body) {
        try {
            return body.get();
        } catch (CudaException e) {
            throw new KvbmException(ErrorCode.NATIVE_FAILURE, what + " failed: " + e.getMessage(), e);
        }
    }

    static void run(String what, Runnable body) {
        call(what, () -> {
            body.run();
            return null;
        });
    }
}
