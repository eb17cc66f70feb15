package dev.kvbm.tier.disk.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.nativeio.libc.LibC;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The binding to NIXL's C API ({@code nixl_capi_*} of {@code src/bindings/rust/wrapper.h}): agent, backends
 * (POSIX, GDS_MT), memory registration, descriptor lists, create/post/status/release of transfers. Every
 * NIXL {@code downcallHandle} lives here. The library comes from a configured path, so a binding is an
 * instance: {@link #load(Path)} fails with the exact reason (flag missing, file missing, symbol missing).
 * Handles are opaque pointers; every call returns a {@code nixl_capi_status_t}.
 */
@SuppressWarnings("restricted")
final class NixlCapi {
    static final int SUCCESS = 0;
    static final int IN_PROG = 1;
    static final int MEM_DRAM = 0;
    static final int MEM_FILE = 4;
    static final int OP_READ = 0;
    static final int OP_WRITE = 1;

    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final java.lang.foreign.AddressLayout PTR = ValueLayout.ADDRESS;
    private static final ValueLayout.OfBoolean BOOL = ValueLayout.JAVA_BOOLEAN;

    final Path library;
    private final MethodHandle createAgent;
    private final MethodHandle destroyAgent;
    private final MethodHandle getPluginParams;
    private final MethodHandle destroyMemList;
    private final MethodHandle destroyParams;
    private final MethodHandle createBackend;
    private final MethodHandle destroyBackend;
    private final MethodHandle createOptArgs;
    private final MethodHandle destroyOptArgs;
    private final MethodHandle optArgsAddBackend;
    private final MethodHandle createRegDlist;
    private final MethodHandle regDlistAddDesc;
    private final MethodHandle destroyRegDlist;
    private final MethodHandle registerMem;
    private final MethodHandle deregisterMem;
    private final MethodHandle createXferDlist;
    private final MethodHandle xferDlistAddDesc;
    private final MethodHandle destroyXferDlist;
    private final MethodHandle createXferReq;
    private final MethodHandle postXferReq;
    private final MethodHandle getXferStatus;
    private final MethodHandle releaseXferReq;

    private NixlCapi(Path library, SymbolLookup lib) {
        this.library = library;
        Linker l = Linker.nativeLinker();
        createAgent = h(l, lib, "nixl_capi_create_agent", FunctionDescriptor.of(INT, PTR, PTR));
        destroyAgent = h(l, lib, "nixl_capi_destroy_agent", FunctionDescriptor.of(INT, PTR));
        getPluginParams = h(l, lib, "nixl_capi_get_plugin_params", FunctionDescriptor.of(INT, PTR, PTR, PTR, PTR));
        destroyMemList = h(l, lib, "nixl_capi_destroy_mem_list", FunctionDescriptor.of(INT, PTR));
        destroyParams = h(l, lib, "nixl_capi_destroy_params", FunctionDescriptor.of(INT, PTR));
        createBackend = h(l, lib, "nixl_capi_create_backend", FunctionDescriptor.of(INT, PTR, PTR, PTR, PTR));
        destroyBackend = h(l, lib, "nixl_capi_destroy_backend", FunctionDescriptor.of(INT, PTR));
        createOptArgs = h(l, lib, "nixl_capi_create_opt_args", FunctionDescriptor.of(INT, PTR));
        destroyOptArgs = h(l, lib, "nixl_capi_destroy_opt_args", FunctionDescriptor.of(INT, PTR));
        optArgsAddBackend = h(l, lib, "nixl_capi_opt_args_add_backend", FunctionDescriptor.of(INT, PTR, PTR));
        createRegDlist = h(l, lib, "nixl_capi_create_reg_dlist", FunctionDescriptor.of(INT, INT, PTR, BOOL));
        regDlistAddDesc = h(l, lib, "nixl_capi_reg_dlist_add_desc",
                FunctionDescriptor.of(INT, PTR, LONG, LONG, LONG, PTR, LONG));
        destroyRegDlist = h(l, lib, "nixl_capi_destroy_reg_dlist", FunctionDescriptor.of(INT, PTR));
        registerMem = h(l, lib, "nixl_capi_register_mem", FunctionDescriptor.of(INT, PTR, PTR, PTR));
        deregisterMem = h(l, lib, "nixl_capi_deregister_mem", FunctionDescriptor.of(INT, PTR, PTR, PTR));
        createXferDlist = h(l, lib, "nixl_capi_create_xfer_dlist", FunctionDescriptor.of(INT, INT, PTR, BOOL));
        xferDlistAddDesc = h(l, lib, "nixl_capi_xfer_dlist_add_desc", FunctionDescriptor.of(INT, PTR, LONG, LONG, LONG));
        destroyXferDlist = h(l, lib, "nixl_capi_destroy_xfer_dlist", FunctionDescriptor.of(INT, PTR));
        createXferReq = h(l, lib, "nixl_capi_create_xfer_req", FunctionDescriptor.of(INT, PTR, INT, PTR, PTR, PTR, PTR, PTR));
        postXferReq = h(l, lib, "nixl_capi_post_xfer_req", FunctionDescriptor.of(INT, PTR, PTR, PTR));
        getXferStatus = h(l, lib, "nixl_capi_get_xfer_status", FunctionDescriptor.of(INT, PTR, PTR));
        releaseXferReq = h(l, lib, "nixl_capi_release_xfer_req", FunctionDescriptor.of(INT, PTR, PTR));
    }

    private static MethodHandle h(Linker linker, SymbolLookup lib, String name, FunctionDescriptor d) {
        return linker.downcallHandle(lib.find(name).orElseThrow(() -> new IllegalArgumentException(
                "symbol " + name + " not found; is this NIXL's C API library (libnixl_capi)?")), d);
    }

    /** Binds the library at {@code library}; throws a {@code NATIVE_FAILURE} saying why it cannot. */
    static NixlCapi load(Path library) {
        if (!NixlCapi.class.getModule().isNativeAccessEnabled()) {
            throw new KvbmException(ErrorCode.NATIVE_FAILURE, LibC.nativeAccessMessage(CuFile.MODULE));
        }
        if (!Files.isReadable(library)) {
            throw new KvbmException(ErrorCode.NATIVE_FAILURE, "NIXL C API library " + library + " does not exist or is not readable");
        }
        try {
            return new NixlCapi(library, SymbolLookup.libraryLookup(library, Arena.global()));
        } catch (IllegalCallerException e) {
            throw new KvbmException(ErrorCode.NATIVE_FAILURE, LibC.nativeAccessMessage(CuFile.MODULE), e);
        } catch (IllegalArgumentException | LinkageError e) {
            throw new KvbmException(ErrorCode.NATIVE_FAILURE, "cannot bind NIXL from " + library + ": " + e.getMessage(), e);
        }
    }

    static String statusName(int status) {
        return switch (status) {
            case 0 -> "NIXL_CAPI_SUCCESS";
            case 1 -> "NIXL_CAPI_IN_PROG";
            case -1 -> "NIXL_CAPI_ERROR_INVALID_PARAM";
            case -2 -> "NIXL_CAPI_ERROR_BACKEND";
            case -3 -> "NIXL_CAPI_ERROR_INVALID_STATE";
            case -4 -> "NIXL_CAPI_ERROR_EXCEPTION";
            default -> "status " + status;
        };
    }

    /** Fails with the call's name and status unless it returned SUCCESS. */
    static void check(String call, int status) {
        if (status != SUCCESS) {
            throw new NixlException(call + " returned " + statusName(status), status);
        }
    }

    /** A non-success NIXL status. */
    static final class NixlException extends RuntimeException {
        final int status;

        NixlException(String message, int status) {
            super(message);
            this.status = status;
        }
    }

    private static RuntimeException rethrow(String call, Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        return new KvbmException(ErrorCode.NATIVE_FAILURE, call + " downcall failed", t);
    }

    MemorySegment createAgent(String name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(PTR);
            check("nixl_capi_create_agent", (int) createAgent.invokeExact(a.allocateFrom(name), out));
            return out.get(PTR, 0);
        } catch (Throwable t) {
            throw rethrow("nixl_capi_create_agent", t);
        }
    }

    int destroyAgent(MemorySegment agent) {
        try {
            return (int) destroyAgent.invokeExact(agent);
        } catch (Throwable t) {
            throw rethrow("nixl_capi_destroy_agent", t);
        }
    }

    /** Creates backend {@code plugin} (POSIX, GDS_MT) with its default parameters. */
    MemorySegment createBackend(MemorySegment agent, String plugin) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment mems = a.allocate(PTR);
            MemorySegment params = a.allocate(PTR);
            MemorySegment name = a.allocateFrom(plugin);
            check("nixl_capi_get_plugin_params(" + plugin + ")", (int) getPluginParams.invokeExact(agent, name, mems,
                    params));
            MemorySegment backend = a.allocate(PTR);
            try {
                check("nixl_capi_create_backend(" + plugin + ")", (int) createBackend.invokeExact(agent, name,
                        params.get(PTR, 0), backend));
            } finally {
                int unused = (int) destroyMemList.invokeExact(mems.get(PTR, 0));
                unused = (int) destroyParams.invokeExact(params.get(PTR, 0));
                assert unused >= Integer.MIN_VALUE;
            }
            return backend.get(PTR, 0);
        } catch (Throwable t) {
            throw rethrow("nixl_capi_create_backend", t);
        }
    }

    int destroyBackend(MemorySegment backend) {
        try {
            return (int) destroyBackend.invokeExact(backend);
        } catch (Throwable t) {
            throw rethrow("nixl_capi_destroy_backend", t);
        }
    }

    /** Optional arguments naming {@code backend}. */
    MemorySegment optArgs(MemorySegment backend) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(PTR);
            check("nixl_capi_create_opt_args", (int) createOptArgs.invokeExact(out));
            MemorySegment args = out.get(PTR, 0);
            check("nixl_capi_opt_args_add_backend", (int) optArgsAddBackend.invokeExact(args, backend));
            return args;
        } catch (Throwable t) {
            throw rethrow("nixl_capi_create_opt_args", t);
        }
    }

    int destroyOptArgs(MemorySegment args) {
        try {
            return (int) destroyOptArgs.invokeExact(args);
        } catch (Throwable t) {
            throw rethrow("nixl_capi_destroy_opt_args", t);
        }
    }

    /** Registers (or deregisters) one region: {@code (addr, len, devId)} of {@code memType}. */
    void registration(boolean register, MemorySegment agent, int memType, long addr, long len, long devId,
                      MemorySegment optArgs) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(PTR);
            check("nixl_capi_create_reg_dlist", (int) createRegDlist.invokeExact(memType, out, false));
            MemorySegment dlist = out.get(PTR, 0);
            try {
                check("nixl_capi_reg_dlist_add_desc", (int) regDlistAddDesc.invokeExact(dlist, addr, len, devId,
                        MemorySegment.NULL, 0L));
                if (register) {
                    check("nixl_capi_register_mem", (int) registerMem.invokeExact(agent, dlist, optArgs));
                } else {
                    check("nixl_capi_deregister_mem", (int) deregisterMem.invokeExact(agent, dlist, optArgs));
                }
            } finally {
                int unused = (int) destroyRegDlist.invokeExact(dlist);
                assert unused >= Integer.MIN_VALUE;
            }
        } catch (Throwable t) {
            throw rethrow("nixl_capi_register_mem", t);
        }
    }

    /** A transfer descriptor list of {@code memType} holding {@code (addr[i], len[i], devId[i])}. */
    MemorySegment xferDlist(int memType, long[] addr, long[] len, long[] devId) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(PTR);
            check("nixl_capi_create_xfer_dlist", (int) createXferDlist.invokeExact(memType, out, false));
            MemorySegment dlist = out.get(PTR, 0);
            try {
                for (int i = 0; i < addr.length; i++) {
                    check("nixl_capi_xfer_dlist_add_desc", (int) xferDlistAddDesc.invokeExact(dlist, addr[i], len[i],
                            devId[i]));
                }
            } catch (RuntimeException e) {
                destroyXferDlist(dlist);
                throw e;
            }
            return dlist;
        } catch (Throwable t) {
            throw rethrow("nixl_capi_create_xfer_dlist", t);
        }
    }

    int destroyXferDlist(MemorySegment dlist) {
        try {
            return (int) destroyXferDlist.invokeExact(dlist);
        } catch (Throwable t) {
            throw rethrow("nixl_capi_destroy_xfer_dlist", t);
        }
    }

    MemorySegment createXferReq(MemorySegment agent, int op, MemorySegment local, MemorySegment remote,
                                String remoteAgent, MemorySegment optArgs) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(PTR);
            check("nixl_capi_create_xfer_req", (int) createXferReq.invokeExact(agent, op, local, remote,
                    a.allocateFrom(remoteAgent), out, optArgs));
            return out.get(PTR, 0);
        } catch (Throwable t) {
            throw rethrow("nixl_capi_create_xfer_req", t);
        }
    }

    /** SUCCESS, IN_PROG or an error status. */
    int postXferReq(MemorySegment agent, MemorySegment req, MemorySegment optArgs) {
        try {
            return (int) postXferReq.invokeExact(agent, req, optArgs);
        } catch (Throwable t) {
            throw rethrow("nixl_capi_post_xfer_req", t);
        }
    }

    int xferStatus(MemorySegment agent, MemorySegment req) {
        try {
            return (int) getXferStatus.invokeExact(agent, req);
        } catch (Throwable t) {
            throw rethrow("nixl_capi_get_xfer_status", t);
        }
    }

    int releaseXferReq(MemorySegment agent, MemorySegment req) {
        try {
            return (int) releaseXferReq.invokeExact(agent, req);
        } catch (Throwable t) {
            throw rethrow("nixl_capi_release_xfer_req", t);
        }
    }
}
