package dev.kvbm.tier.disk;

import dev.kvbm.api.layout.BlockLayout;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.spi.BlockPair;
import dev.kvbm.api.spi.HostMemoryStorage;
import dev.kvbm.api.spi.PhysicalLayout;
import dev.kvbm.api.spi.Storage;
import dev.kvbm.api.spi.StorageAllocator;
import dev.kvbm.api.spi.StorageKind;
import dev.kvbm.api.spi.TierConfig;
import dev.kvbm.api.spi.TransferEngine;
import dev.kvbm.api.spi.TransferEngineProvider;
import dev.kvbm.tier.disk.internal.DiskTierProvider;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * Measures G2 -> G3 writes and G3 -> G2 reads through a disk transfer engine: a FullyContiguous host layout
 * (page-aligned memory, as the host tiers hand out) and a disk-tier file of the same blocks, moved in batches
 * of {@code batch} blocks with up to {@code inFlight} batches outstanding, as the offload manager does; host
 * block i goes to file block perm(i) so that each I/O is exactly one block at a scattered offset (compare with
 * fio's randwrite/randread). The bytes read back are compared with those written. Run it next to {@code fio --direct=1} on the same file
 * system, block size and queue depth:
 *
 * <pre>KVBM_MAIN=dev.kvbm.tier.disk/dev.kvbm.tier.disk.DiskCopyProbe kvbm-dist/bin/kvbm
 *     DIR BLOCK_BYTES TOTAL_BYTES [ENGINE=posix] [BATCH=16] [IN_FLIGHT=4] [RUNS=3]</pre>
 */
public final class DiskCopyProbe {
    private DiskCopyProbe() {
    }

    public static void main(String[] args) {
        if (args.length < 3) {
            System.err.println("usage: DiskCopyProbe DIR BLOCK_BYTES TOTAL_BYTES [ENGINE=posix] [BATCH=16] [IN_FLIGHT=4] [RUNS=3]");
            System.exit(2);
        }
        String dir = args[0];
        int blockBytes = Integer.parseInt(args[1]);
        long total = Long.parseLong(args[2]);
        String engineName = args.length > 3 ? args[3] : "posix";
        int batch = args.length > 4 ? Integer.parseInt(args[4]) : 16;
        int inFlight = args.length > 5 ? Integer.parseInt(args[5]) : 4;
        int runs = args.length > 6 ? Integer.parseInt(args[6]) : 3;
        int blocks = Integer.highestOneBit((int) (total / blockBytes));
        LayoutConfig g = new LayoutConfig(blocks, 1, 1, 1, blockBytes / 2, 4096, 2);
        BlockLayout layout = BlockLayout.of(g, LayoutType.FULLY_CONTIGUOUS);
        // This module's own engines, by name (only the core looks providers up through ServiceLoader).
        TransferEngineProvider provider = switch (engineName) {
            case "posix" -> new dev.kvbm.tier.disk.internal.PosixEngineProvider();
            case "io_uring" -> new dev.kvbm.tier.disk.internal.IoUringEngineProvider();
            case "nixl" -> new dev.kvbm.tier.disk.internal.NixlEngineProvider();
            default -> throw new IllegalArgumentException("ENGINE must be posix, io_uring or nixl (got " + engineName + ")");
        };
        if (!provider.isAvailable()) {
            throw new IllegalStateException(engineName + " unavailable: " + provider.unavailabilityCause().orElse(""));
        }
        try (Arena arena = Arena.ofShared();
             StorageAllocator disk = new DiskTierProvider().createAllocator(new TierConfig(dev.kvbm.api.Tier.G3, g,
                     LayoutType.FULLY_CONTIGUOUS, Map.of(DiskTierOptions.CACHE_DIR, dir)));
             TransferEngine engine = provider.create(Map.of())) {
            MemorySegment src = arena.allocate(layout.requiredAllocationSize(), 4096);
            MemorySegment dst = arena.allocate(layout.requiredAllocationSize(), 4096);
            for (long i = 0; i + 8 <= src.byteSize(); i += 8) {
                src.set(ValueLayout.JAVA_LONG_UNALIGNED, i, i * 0x9E3779B97F4A7C15L);
            }
            PhysicalLayout host = new PhysicalLayout(layout, List.of(host(src)));
            PhysicalLayout back = new PhysicalLayout(layout, List.of(host(dst)));
            PhysicalLayout file = new PhysicalLayout(layout, List.of(disk.allocate(layout.requiredAllocationSize(), 4096)));
            System.out.printf("engine %s, %d blocks of %d bytes (%.2f GiB), batches of %d, %d in flight, file %s%n",
                    engineName, blocks, blockBytes, total / (double) (1L << 30), batch, inFlight,
                    ((dev.kvbm.api.spi.FileStorage) file.storage(0)).path());
            for (int r = 0; r < runs; r++) {
                double w = run(engine, host, file, blocks, batch, inFlight, blockBytes);
                double rd = run(engine, file, back, blocks, batch, inFlight, blockBytes);
                long mismatch = src.asSlice(0, (long) blocks * blockBytes).mismatch(dst.asSlice(0, (long) blocks * blockBytes));
                System.out.printf("run %d: G2->G3 write %.2f GB/s, G3->G2 read %.2f GB/s, bytes %s%n", r + 1, w, rd,
                        mismatch == -1 ? "identical" : "DIFFER at " + mismatch);
                dst.fill((byte) 0);
            }
        }
    }

    private static double run(TransferEngine engine, PhysicalLayout from, PhysicalLayout to, int blocks, int batch,
                              int inFlight, long blockBytes) {
        boolean fromHost = from.kind() != StorageKind.DISK;
        Semaphore slots = new Semaphore(inFlight);
        List<CompletableFuture<Void>> all = new ArrayList<>();
        long start = System.nanoTime();
        for (int b = 0; b < blocks; b += batch) {
            List<BlockPair> pairs = new ArrayList<>();
            for (int i = b; i < Math.min(blocks, b + batch); i++) {
                // Host block i <-> file block perm(i): no two blocks of a batch are adjacent in the file, so
                // every I/O is exactly one block, like fio's bs (an odd stride permutes a power-of-two count).
                int f = (int) ((i * 7919L) % blocks);
                pairs.add(fromHost ? new BlockPair(i, f) : new BlockPair(f, i));
            }
            slots.acquireUninterruptibly();
            all.add(engine.transfer(from, to, pairs).whenComplete((v, e) -> slots.release()));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
        return blocks * blockBytes / (double) (System.nanoTime() - start);
    }

    private static Storage host(MemorySegment s) {
        return new HostMemoryStorage() {
            @Override
            public MemorySegment segment() {
                return s;
            }

            @Override
            public StorageKind kind() {
                return StorageKind.PINNED;
            }

            @Override
            public long size() {
                return s.byteSize();
            }

            @Override
            public void close() {
            }
        };
    }
}
