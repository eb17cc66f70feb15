package dev.kvbm.tier.disk.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.nativeio.libc.LibC;
import dev.kvbm.tier.disk.DiskTierOptions;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * The binding to {@code libcufile} (GPUDirect Storage): every cuFile {@code downcallHandle} lives here. The
 * static initialiser loads the library (from {@code -Dkvbm.disk.cufile.library}, else {@code libcufile.so.0} /
 * {@code libcufile.so} on the loader's path) and opens the driver once; any failure is kept as the reason the
 * cuFile engine is unavailable (no library, no GPU, no nvidia-fs).
 */
@SuppressWarnings("restricted")
final class CuFile {
    /** The module whose own downcalls (cuFile, NIXL) need --enable-native-access; libc calls are kvbm-native-libc's. */
    static final String MODULE = "dev.kvbm.tier.disk";
    /** {@code CU_FILE_HANDLE_TYPE_OPAQUE_FD}. */
    static final int HANDLE_TYPE_OPAQUE_FD = 1;
    /** {@code CUfileError_t}: {@code {CUfileOpError err; CUresult cu_err;}}, returned by value. */
    private static final StructLayout ERROR = MemoryLayout.structLayout(ValueLayout.JAVA_INT.withName("err"),
            ValueLayout.JAVA_INT.withName("cu_err"));
    /** {@code CUfileDescr_t}: {@code {int type; union {int fd; void *handle;} handle; const CUfileFSOps_t *fs_ops;}}. */
    static final StructLayout DESCR = MemoryLayout.structLayout(ValueLayout.JAVA_INT.withName("type"),
            MemoryLayout.paddingLayout(4), ValueLayout.JAVA_LONG.withName("handle"), ValueLayout.ADDRESS.withName("fs_ops"));

    private static final MethodHandle HANDLE_REGISTER;
    private static final MethodHandle HANDLE_DEREGISTER;
    private static final MethodHandle READ;
    private static final MethodHandle WRITE;
    private static final String FAILURE;

    static {
        MethodHandle register = null;
        MethodHandle deregister = null;
        MethodHandle read = null;
        MethodHandle write = null;
        String failure = null;
        try {
            if (!CuFile.class.getModule().isNativeAccessEnabled()) {
                throw new KvbmException(ErrorCode.NATIVE_FAILURE, LibC.nativeAccessMessage(CuFile.MODULE));
            }
            SymbolLookup lib = lookup();
            Linker linker = Linker.nativeLinker();
            MethodHandle open = linker.downcallHandle(lib.findOrThrow("cuFileDriverOpen"), FunctionDescriptor.of(ERROR));
            register = linker.downcallHandle(lib.findOrThrow("cuFileHandleRegister"),
                    FunctionDescriptor.of(ERROR, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
            deregister = linker.downcallHandle(lib.findOrThrow("cuFileHandleDeregister"),
                    FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
            FunctionDescriptor io = FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.ADDRESS,
                    ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG);
            read = linker.downcallHandle(lib.findOrThrow("cuFileRead"), io);
            write = linker.downcallHandle(lib.findOrThrow("cuFileWrite"), io);
            try (Arena a = Arena.ofConfined()) {
                MemorySegment err = (MemorySegment) open.invokeExact((java.lang.foreign.SegmentAllocator) a);
                int code = err.get(ValueLayout.JAVA_INT, 0);
                if (code != 0) {
                    throw new KvbmException(ErrorCode.NATIVE_FAILURE, "cuFileDriverOpen failed: CUfileOpError " + code + ", CUresult "
                            + err.get(ValueLayout.JAVA_INT, 4) + " (no GPU, or GPUDirect Storage / nvidia-fs not set up)");
                }
            }
        } catch (IllegalCallerException e) {
            failure = LibC.nativeAccessMessage(CuFile.MODULE);
        } catch (Throwable e) {
            failure = e.getMessage() != null ? e.getMessage() : e.toString();
        }
        HANDLE_REGISTER = register;
        HANDLE_DEREGISTER = deregister;
        READ = read;
        WRITE = write;
        FAILURE = failure;
    }

    private CuFile() {
    }

    private static SymbolLookup lookup() {
        String configured = System.getProperty(DiskTierOptions.CUFILE_LIBRARY);
        if (configured != null && !configured.isBlank()) {
            try {
                return SymbolLookup.libraryLookup(java.nio.file.Path.of(configured), Arena.global());
            } catch (IllegalArgumentException e) {
                throw new KvbmException(ErrorCode.NATIVE_FAILURE, "cannot load libcufile from " + configured + ": " + e.getMessage(), e);
            }
        }
        for (String name : new String[] {"libcufile.so.0", "libcufile.so"}) {
            try {
                return SymbolLookup.libraryLookup(name, Arena.global());
            } catch (IllegalArgumentException e) {
                // try the next name
            }
        }
        throw new KvbmException(ErrorCode.NATIVE_FAILURE, "libcufile (GPUDirect Storage) is not installed: neither libcufile.so.0 nor "
                + "libcufile.so is on the loader's path (set -D" + DiskTierOptions.CUFILE_LIBRARY + "=/path/libcufile.so)");
    }

    static boolean isAvailable() {
        return FAILURE == null;
    }

    static Optional<String> unavailabilityCause() {
        return Optional.ofNullable(FAILURE);
    }

    private static void check() {
        if (FAILURE != null) {
            throw new KvbmException(ErrorCode.NATIVE_FAILURE, FAILURE);
        }
    }

    /** Registers descriptor {@code fd}; returns the {@code CUfileHandle_t}. */
    static MemorySegment register(int fd) {
        check();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment descr = a.allocate(DESCR);
            descr.set(ValueLayout.JAVA_INT, 0, HANDLE_TYPE_OPAQUE_FD);
            descr.set(ValueLayout.JAVA_INT, 8, fd);
            MemorySegment handle = a.allocate(ValueLayout.ADDRESS);
            MemorySegment err = (MemorySegment) HANDLE_REGISTER.invokeExact((java.lang.foreign.SegmentAllocator) a,
                    handle, descr);
            int code = err.get(ValueLayout.JAVA_INT, 0);
            if (code != 0) {
                throw new KvbmException(ErrorCode.NATIVE_FAILURE, "cuFileHandleRegister(fd " + fd + ") failed: CUfileOpError " + code);
            }
            return handle.get(ValueLayout.ADDRESS, 0);
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new KvbmException(ErrorCode.NATIVE_FAILURE, "cuFileHandleRegister downcall failed", t);
        }
    }

    static void deregister(MemorySegment handle) {
        check();
        try {
            HANDLE_DEREGISTER.invokeExact(handle);
        } catch (Throwable t) {
            throw new KvbmException(ErrorCode.NATIVE_FAILURE, "cuFileHandleDeregister downcall failed", t);
        }
    }

    /** {@code cuFileWrite} or {@code cuFileRead}: bytes moved, or a negative error. */
    static long io(boolean write, MemorySegment handle, long devicePointer, long size, long fileOffset, long deviceOffset) {
        check();
        try {
            MemorySegment dev = MemorySegment.ofAddress(devicePointer);
            return write ? (long) WRITE.invokeExact(handle, dev, size, fileOffset, deviceOffset)
                    : (long) READ.invokeExact(handle, dev, size, fileOffset, deviceOffset);
        } catch (Throwable t) {
            throw new KvbmException(ErrorCode.NATIVE_FAILURE, "cuFile I/O downcall failed", t);
        }
    }
}
