package dev.kvbm.tier.cuda.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUevent;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The one class that calls the CUDA driver (through JCuda's {@code JCudaDriver}): its static initialiser extracts
 * and loads the JNI library, calls {@code cuInit(0)}, checks the driver version and counts devices, and keeps the
 * first failure as the cause. Each driver call kvbm makes is a method here that turns a CUDA error into a
 * {@code KvbmException} naming the call and the CUDA error. (NVRTC, a separate library, is bound in
 * {@link BatchedCopyKernel}.) Contexts are the devices' primary contexts, retained once and made current on each
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

    // ---- Every driver call kvbm makes, each turning a CUDA error into NATIVE_FAILURE naming the call. ----

    static final int CU_STREAM_NON_BLOCKING = 1;
    static final int CU_EVENT_BLOCKING_SYNC = 1;
    static final int CU_EVENT_DISABLE_TIMING = 2;

    /** {@code cuMemAlloc} on the current context; the pointer keeps the address for JCuda calls. */
    static RawPointer memAlloc(long bytes, String what) {
        RawPointer p = new RawPointer();
        run("cuMemAlloc(" + bytes + " bytes, " + what + ")", () -> JCudaDriver.cuMemAlloc(p, bytes));
        return p;
    }

    static void memFree(CUdeviceptr p) {
        run("cuMemFree", () -> JCudaDriver.cuMemFree(p));
    }

    static void memHostRegister(long address, long bytes, int flags) {
        run("cuMemHostRegister(" + bytes + " bytes)", () -> JCudaDriver.cuMemHostRegister(hostPointer(address), bytes, flags));
    }

    static void memHostUnregister(long address) {
        run("cuMemHostUnregister", () -> JCudaDriver.cuMemHostUnregister(hostPointer(address)));
    }

    static CUstream streamCreate() {
        CUstream s = new CUstream();
        run("cuStreamCreate", () -> JCudaDriver.cuStreamCreate(s, CU_STREAM_NON_BLOCKING));
        return s;
    }

    static void streamSynchronize(CUstream s) {
        run("cuStreamSynchronize", () -> JCudaDriver.cuStreamSynchronize(s));
    }

    static void streamDestroy(CUstream s) {
        run("cuStreamDestroy", () -> JCudaDriver.cuStreamDestroy(s));
    }

    /** A blocking-sync event (the waiting thread sleeps in the driver) recorded on {@code stream}. */
    static CUevent eventRecord(CUstream stream) {
        CUevent event = new CUevent();
        run("cuEventCreate", () -> JCudaDriver.cuEventCreate(event, CU_EVENT_BLOCKING_SYNC | CU_EVENT_DISABLE_TIMING));
        try {
            run("cuEventRecord", () -> JCudaDriver.cuEventRecord(event, stream));
        } catch (RuntimeException e) {
            JCudaDriver.cuEventDestroy(event);
            throw e;
        }
        return event;
    }

    static void eventSynchronize(CUevent event) {
        run("cuEventSynchronize", () -> JCudaDriver.cuEventSynchronize(event));
    }

    static void eventDestroy(CUevent event) {
        run("cuEventDestroy", () -> JCudaDriver.cuEventDestroy(event));
    }

    /** {@code cuMemcpyAsync} between raw addresses (unified addressing infers the direction). */
    static void memcpyAsync(long dst, long src, long bytes, CUstream stream) {
        run("cuMemcpyAsync(" + bytes + " bytes)", () -> JCudaDriver.cuMemcpyAsync(pointer(dst), pointer(src), bytes, stream));
    }

    /** {@code cuMemcpyHtoDAsync} from a pageable direct buffer: the driver stages it before returning. */
    static void memcpyHtoDAsync(CUdeviceptr dst, java.nio.ByteBuffer src, CUstream stream) {
        long bytes = src.remaining();
        run("cuMemcpyHtoDAsync(" + bytes + " bytes)", () -> JCudaDriver.cuMemcpyHtoDAsync(dst, Pointer.to(src), bytes, stream));
    }

    static void launch(CUfunction f, int grid, int threads, CUstream stream, Pointer params, String what) {
        run("cuLaunchKernel(" + what + ")", () -> JCudaDriver.cuLaunchKernel(f, grid, 1, 1, threads, 1, 1, 0, stream,
                params, null));
    }

    /** Loads PTX into the current context and returns its function {@code entry}. */
    static CUfunction loadFunction(String ptx, String entry) {
        CUmodule module = new CUmodule();
        run("cuModuleLoadData", () -> JCudaDriver.cuModuleLoadData(module, ptx));
        CUfunction f = new CUfunction();
        run("cuModuleGetFunction(" + entry + ")", () -> JCudaDriver.cuModuleGetFunction(f, module, entry));
        return f;
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
