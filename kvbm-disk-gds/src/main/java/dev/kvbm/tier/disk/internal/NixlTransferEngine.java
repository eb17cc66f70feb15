package dev.kvbm.tier.disk.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.AbstractTransferEngine;
import dev.kvbm.api.spi.BlockPair;
import dev.kvbm.api.spi.EngineExecutor;
import dev.kvbm.api.spi.FileStorage;
import dev.kvbm.api.spi.HostMemoryStorage;
import dev.kvbm.api.spi.PhysicalLayout;
import dev.kvbm.api.spi.Storage;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;

/**
 * Host <-> disk transfers through NIXL, as Dynamo does them: one agent with one backend (POSIX, or GDS_MT),
 * host memory registered as DRAM (device 0) and each cache file as FILE (device id = its descriptor, addresses
 * = file offsets), one descriptor per whole block or per coalesced region on each side, then
 * create/post the request and poll its status. The file is opened with O_DIRECT, so every extent must be
 * aligned to the file's I/O alignment (the disk tier aligns its layouts; page-aligned host memory keeps
 * whole pages aligned); an unaligned transfer fails with the reason instead of going through a bounce.
 */
final class NixlTransferEngine extends AbstractTransferEngine {
    private final NixlCapi capi;
    private final String agentName;
    private final MemorySegment agent;
    private final MemorySegment backend;
    private final MemorySegment optArgs;
    private final long timeoutNanos;
    private final Map<Storage, long[]> registered = new IdentityHashMap<>(); // guarded by this

    NixlTransferEngine(NixlCapi capi, String backendName, Duration timeout) {
        super("nixl disk", new EngineExecutor("kvbm-nixl", 2, 128, Duration.ofSeconds(10))); // bounded: callers wait
        this.capi = capi;
        this.agentName = "kvbm-disk-" + ProcessHandle.current().pid() + "-" + System.identityHashCode(this);
        this.agent = capi.createAgent(agentName);
        try {
            this.backend = capi.createBackend(agent, backendName);
            this.optArgs = capi.optArgs(backend);
        } catch (RuntimeException e) {
            capi.destroyAgent(agent);
            throw e;
        }
        this.timeoutNanos = timeout.toNanos();
    }

    @Override
    protected CompletableFuture<Void> start(PhysicalLayout source, PhysicalLayout target, List<BlockPair> pairs) {
        IoPlan plan = IoPlan.of(source, target, pairs);
        if (plan.extents == 0) {
            return CompletableFuture.completedFuture(null); // nothing to queue behind other transfers
        }
        PhysicalLayout host = plan.direction == IoPlan.Direction.WRITE ? source : target;
        PhysicalLayout file = plan.direction == IoPlan.Direction.WRITE ? target : source;
        requireAligned(plan, host, file); // a layout whose runs O_DIRECT cannot take is refused before anything queues
        return runAll(List.of(() -> run(plan, host, file)));
    }

    /** NIXL's POSIX backend issues O_DIRECT I/O as given: every extent must be aligned on both sides. */
    private static void requireAligned(IoPlan plan, PhysicalLayout host, PhysicalLayout file) {
        int i = 0;
        for (List<IoPlan.Extent> group : plan.groups) {
            for (IoPlan.Extent e : group) {
                long a = Math.max(1, ((FileStorage) file.storage(e.file())).ioAlignment());
                long hostAddr = ((HostMemoryStorage) host.storage(e.host())).segment().address() + e.hostOffset();
                if ((hostAddr | e.fileOffset() | e.length()) % a != 0) {
                    throw new KvbmException(ErrorCode.INVALID_ARGUMENT, "extent " + i + " (host 0x"
                            + Long.toHexString(hostAddr) + ", file offset " + e.fileOffset() + ", " + e.length()
                            + " bytes) is not aligned to " + a + " bytes as O_DIRECT requires; the posix engine "
                            + "bounces it (a layout with smaller runs, such as HiCache's page-first, needs posix or "
                            + "io_uring)");
                }
                i++;
            }
        }
    }

    private void run(IoPlan plan, PhysicalLayout host, PhysicalLayout file) {
        List<IoPlan.Extent> extents = new ArrayList<>();
        plan.groups.forEach(extents::addAll);
        int n = extents.size();
        if (n == 0) {
            return;
        }
        long[] hostAddr = new long[n];
        long[] fileAddr = new long[n];
        long[] len = new long[n];
        long[] hostDev = new long[n];
        long[] fileDev = new long[n];
        for (int i = 0; i < n; i++) {
            IoPlan.Extent e = extents.get(i);
            HostMemoryStorage h = (HostMemoryStorage) host.storage(e.host());
            FileStorage f = (FileStorage) file.storage(e.file());
            if (f.fileDescriptor() < 0) {
                throw new KvbmException(ErrorCode.INVALID_ARGUMENT, "NIXL needs the file descriptor of " + f.path());
            }
            hostAddr[i] = h.segment().address() + e.hostOffset(); // alignment checked in start()
            fileAddr[i] = e.fileOffset();
            len[i] = e.length();
            fileDev[i] = f.fileDescriptor();
            register(h, NixlCapi.MEM_DRAM, h.segment().address(), h.size(), 0);
            register(f, NixlCapi.MEM_FILE, 0, f.size(), f.fileDescriptor());
        }
        MemorySegment local = capi.xferDlist(NixlCapi.MEM_DRAM, hostAddr, len, hostDev);
        MemorySegment remote = null;
        MemorySegment req = null;
        try {
            remote = capi.xferDlist(NixlCapi.MEM_FILE, fileAddr, len, fileDev);
            int op = plan.direction == IoPlan.Direction.WRITE ? NixlCapi.OP_WRITE : NixlCapi.OP_READ;
            req = capi.createXferReq(agent, op, local, remote, agentName, optArgs);
            int status = capi.postXferReq(agent, req, optArgs);
            long deadline = System.nanoTime() + timeoutNanos;
            long park = 10_000;
            while (status == NixlCapi.IN_PROG) {
                if (System.nanoTime() - deadline > 0) {
                    throw new KvbmException(ErrorCode.TIMEOUT, "NIXL transfer of " + plan.totalBytes
                            + " bytes still in progress after " + Duration.ofNanos(timeoutNanos));
                }
                LockSupport.parkNanos(park);
                park = Math.min(park * 2, 1_000_000);
                status = capi.xferStatus(agent, req);
            }
            NixlCapi.check("NIXL transfer (" + plan.direction + ", " + n + " descriptors)", status);
        } finally {
            if (req != null) {
                capi.releaseXferReq(agent, req);
            }
            if (remote != null) {
                capi.destroyXferDlist(remote);
            }
            capi.destroyXferDlist(local);
        }
    }

    private synchronized void register(Storage storage, int memType, long addr, long size, long dev) {
        if (isClosed()) {
            throw new KvbmException(ErrorCode.INVALID_STATE, "the nixl engine is closed");
        }
        if (!registered.containsKey(storage)) {
            capi.registration(true, agent, memType, addr, size, dev, optArgs);
            registered.put(storage, new long[] {memType, addr, size, dev});
        }
    }

    /** Regions registered with the agent so far. */
    synchronized int registrations() {
        return registered.size();
    }

    /** Deregisters the memory and destroys the agent once no transfer can use them. */
    @Override
    protected void onClose() {
        synchronized (this) {
            for (long[] r : registered.values()) {
                try {
                    capi.registration(false, agent, (int) r[0], r[1], r[2], r[3], optArgs);
                } catch (RuntimeException e) {
                    System.getLogger(NixlTransferEngine.class.getName()).log(System.Logger.Level.WARNING,
                            "NIXL deregistration failed: " + e.getMessage());
                }
            }
            registered.clear();
        }
        try {
            NixlCapi.check("nixl_capi_destroy_opt_args", capi.destroyOptArgs(optArgs));
            NixlCapi.check("nixl_capi_destroy_backend", capi.destroyBackend(backend));
            NixlCapi.check("nixl_capi_destroy_agent", capi.destroyAgent(agent));
        } catch (NixlCapi.NixlException e) {
            throw new KvbmException(ErrorCode.NATIVE_FAILURE, "closing the NIXL agent " + agentName + ": "
                    + e.getMessage(), e);
        }
    }
}
