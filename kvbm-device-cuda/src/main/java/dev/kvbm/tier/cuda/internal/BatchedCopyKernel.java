package dev.kvbm.tier.cuda.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import jcuda.CudaException;
import jcuda.driver.CUfunction;
import jcuda.nvrtc.JNvrtc;
import jcuda.nvrtc.nvrtcProgram;

/**
 * The batched copy kernel ({@code batched_copy.cu}, Dynamo's {@code vectorised_copy} idea): PTX from the file
 * named by system property {@link #PTX_PROPERTY} when set, otherwise compiled at run time with NVRTC for the
 * device's compute capability, then loaded into the device's primary context. Loaded once per device; a failure
 * (no NVRTC on the machine, say) is kept and the engine falls back to per-region copies.
 */
final class BatchedCopyKernel {
    static final String PTX_PROPERTY = "kvbm.cuda.kernel.ptx";
    static final String SOURCE = "batched_copy.cu";
    static final String ENTRY = "kvbm_batched_copy";
    static final int THREADS = 256;

    /** A loaded function, or why there is none. */
    record Loaded(CUfunction function, String failure) {
        boolean ok() {
            return function != null;
        }
    }

    private static final ConcurrentHashMap<Integer, Loaded> BY_DEVICE = new ConcurrentHashMap<>();
    /** NVRTC failing to load is a fact of the machine: kept, so every device reports the first, precise cause. */
    private static volatile String nvrtcFailure;

    private BatchedCopyKernel() {
    }

    static Loaded forDevice(int ordinal) {
        return BY_DEVICE.computeIfAbsent(ordinal, BatchedCopyKernel::load);
    }

    /** The CUDA C source shipped in this module. */
    static String source() {
        try (InputStream in = BatchedCopyKernel.class.getResourceAsStream(SOURCE)) {
            if (in == null) {
                throw new KvbmException(ErrorCode.NATIVE_FAILURE, SOURCE + " is missing from the module");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new KvbmException(ErrorCode.IO_ERROR, "cannot read " + SOURCE, e);
        }
    }

    /** NVRTC options: the virtual architecture of the device, so the driver JITs the PTX for it. */
    static String[] compileOptions(int computeCapability) {
        return new String[] {"--gpu-architecture=compute_" + computeCapability, "-default-device"};
    }

    private static Loaded load(int ordinal) {
        try {
            String ptx = ptx(ordinal);
            CudaDriver.makeCurrent(ordinal);
            return new Loaded(CudaDriver.loadFunction(ptx, ENTRY), null);
        } catch (KvbmException | CudaException | LinkageError e) {
            String cause = e instanceof LinkageError ? ProbeMessages.loadFailure(e) : e.getMessage();
            System.getLogger(BatchedCopyKernel.class.getName()).log(System.Logger.Level.WARNING,
                    "batched copy kernel unavailable on device " + ordinal + ", using per-region copies: " + cause);
            return new Loaded(null, cause);
        }
    }

    private static String ptx(int ordinal) {
        String file = System.getProperty(PTX_PROPERTY);
        if (file != null && !file.isBlank()) {
            try {
                return Files.readString(Path.of(file));
            } catch (IOException e) {
                throw new KvbmException(ErrorCode.IO_ERROR, PTX_PROPERTY + ": cannot read " + file + ": " + e, e);
            }
        }
        if (nvrtcFailure != null) {
            throw new KvbmException(ErrorCode.NATIVE_FAILURE, nvrtcFailure);
        }
        try {
            NativeLibraries.ensureExtracted(NativeLibraries.NVRTC);
            JNvrtc.setExceptionsEnabled(true);
        } catch (LinkageError e) {
            nvrtcFailure = "NVRTC unavailable: " + ProbeMessages.loadFailure(e);
            throw new KvbmException(ErrorCode.NATIVE_FAILURE, nvrtcFailure, e);
        }
        nvrtcProgram program = new nvrtcProgram();
        try {
            JNvrtc.nvrtcCreateProgram(program, source(), SOURCE, 0, null, null);
        } catch (CudaException e) {
            throw new KvbmException(ErrorCode.NATIVE_FAILURE, "nvrtcCreateProgram failed: " + e.getMessage(), e);
        }
        try {
            try {
                JNvrtc.nvrtcCompileProgram(program, 2, compileOptions(CudaDriver.computeCapability(ordinal)));
            } catch (CudaException e) {
                String[] log = new String[1];
                JNvrtc.nvrtcGetProgramLog(program, log);
                throw new KvbmException(ErrorCode.NATIVE_FAILURE, "NVRTC cannot compile " + SOURCE + ": " + e.getMessage()
                        + "\n" + log[0], e);
            }
            String[] ptx = new String[1];
            JNvrtc.nvrtcGetPTX(program, ptx);
            return ptx[0];
        } finally {
            JNvrtc.nvrtcDestroyProgram(program);
        }
    }
}
