package dev.kvbm.bench.benchmarks;

import dev.kvbm.api.Tier;
import dev.kvbm.api.layout.BlockLayout;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.spi.BlockPair;
import dev.kvbm.api.spi.PhysicalLayout;
import dev.kvbm.api.spi.Storage;
import dev.kvbm.api.spi.StorageAllocator;
import dev.kvbm.api.spi.TierConfig;
import dev.kvbm.api.spi.TransferEngine;
import dev.kvbm.bench.internal.Fio;
import dev.kvbm.core.providers.ProviderRegistry;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.IterationParams;

/**
 * G2 -&gt; G3 writes and G3 -&gt; G2 reads through each disk engine, 16 scattered blocks an operation, and
 * the references measured in the same run: a plain {@code FileChannel} opened with O_DIRECT moving the
 * same bytes between the same kind of aligned buffer and a file of the same size, one block at a time; and,
 * when fio is installed, {@code fio --direct=1} at queue depth 4 of the same block size on a file of the same
 * size in the same directory, run in this fork before each of the engine's iterations for as long as the
 * iteration (fio, engine, fio, engine...: a virtual disk that drifts moves both), reported as the auxiliary
 * counter {@code fioGbps} ({@link FioReference}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class DiskCopyBenchmark {
    /** Blocks in each tier; an operation moves {@link #BATCH} of them to scattered places. */
    private static final int BLOCKS = 64;
    static final int BATCH = 16;

    @Param({"256", "2048"})
    public int diskBlockKiB;

    @Param({"posix", "io_uring"})
    public String engine;

    @Param({"write", "read"})
    public String direction;

    private final List<AutoCloseable> owned = new ArrayList<>();
    private PhysicalLayout host;
    private PhysicalLayout disk;
    private TransferEngine transfer;
    private List<BlockPair> pairs;
    private FileChannel referenceFile;
    private Path referencePath;
    private ByteBuffer referenceBuffer;
    private long blockBytes;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        blockBytes = diskBlockKiB * 1024L;
        LayoutConfig geometry = new LayoutConfig(BLOCKS, 1, 1, 1, (int) (blockBytes / 2), 4096, 2);
        ProviderRegistry registry = ProviderRegistry.load();
        host = allocate(registry, Tier.G2, registry.bestTier(Tier.G2).orElseThrow().name(), geometry);
        disk = allocate(registry, Tier.G3, dev.kvbm.api.spi.ProviderNames.DISK, geometry);
        transfer = registry.engine(engine).create(Map.of());
        owned.add(transfer);
        pairs = new ArrayList<>();
        for (int i = 0; i < BATCH; i++) {
            int target = (i * 37) % BLOCKS; // scattered, like offloads of unrelated blocks
            pairs.add(direction.equals("write") ? new BlockPair(i, target) : new BlockPair(target, i));
        }
        // Write every disk block once so reads read real extents.
        List<BlockPair> fill = new ArrayList<>();
        for (int i = 0; i < BLOCKS; i++) {
            fill.add(new BlockPair(i % BATCH, i));
        }
        transfer.transfer(host, disk, fill).join();

        referencePath = Files.createTempFile(Path.of(System.getProperty("java.io.tmpdir")), "kvbm-bench-ref", ".bin");
        referenceFile = FileChannel.open(referencePath, StandardOpenOption.READ, StandardOpenOption.WRITE,
                com.sun.nio.file.ExtendedOpenOption.DIRECT);
        Arena arena = Arena.ofShared();
        owned.add(arena);
        MemorySegment buffer = arena.allocate(blockBytes * BATCH, 4096);
        buffer.fill((byte) 3);
        referenceBuffer = buffer.asByteBuffer();
        for (int i = 0; i < BLOCKS; i++) {
            writeFully(referenceBuffer.slice(0, (int) blockBytes), i * blockBytes);
        }
    }

    private PhysicalLayout allocate(ProviderRegistry registry, Tier tier, String provider, LayoutConfig config) {
        StorageAllocator allocator = registry.tier(provider).createAllocator(
                new TierConfig(tier, config, LayoutType.FULLY_CONTIGUOUS, Map.of("kvbm.host.mlock", "false")));
        owned.add(allocator);
        BlockLayout layout = BlockLayout.of(config, LayoutType.FULLY_CONTIGUOUS);
        Storage storage = allocator.allocate(layout.requiredAllocationSize(), 4096);
        PhysicalLayout physical = new PhysicalLayout(layout, List.of(storage));
        owned.add(physical::close);
        return physical;
    }

    @Benchmark
    public void engine(FioReference fio) {
        if (direction.equals("write")) {
            transfer.transfer(host, disk, pairs).join();
        } else {
            transfer.transfer(disk, host, pairs).join();
        }
    }

    @Benchmark
    public void fileChannelReference() throws IOException {
        for (int i = 0; i < BATCH; i++) {
            ByteBuffer slice = referenceBuffer.slice((int) (i * blockBytes), (int) blockBytes);
            long position = ((i * 37L) % BLOCKS) * blockBytes;
            if (direction.equals("write")) {
                writeFully(slice, position);
            } else {
                while (slice.hasRemaining()) {
                    if (referenceFile.read(slice, position + slice.position()) < 0) {
                        throw new IOException("short read of the reference file");
                    }
                }
            }
        }
    }

    private void writeFully(ByteBuffer b, long position) throws IOException {
        while (b.hasRemaining()) {
            referenceFile.write(b, position + b.position());
        }
    }

    /**
     * fio's GB/s in the iteration just before this one of the engine (0 when fio is not installed or failed: the
     * fork's output says why).
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class FioReference {
        private Path fio;
        private Path file;
        private double gbps;

        @Setup(Level.Trial)
        public void find(DiskCopyBenchmark b) {
            fio = Fio.find().orElse(null);
            // the disk tier's directory (its default), so fio measures the same file system
            file = Path.of(System.getProperty("java.io.tmpdir"), "kvbm-bench-fio-" + ProcessHandle.current().pid()
                    + "-" + b.diskBlockKiB + ".bin");
        }

        @Setup(Level.Iteration)
        public void measure(DiskCopyBenchmark b, IterationParams iteration) {
            gbps = 0;
            if (fio == null) {
                return;
            }
            try {
                gbps = Fio.run(fio, file, b.blockBytes, b.blockBytes * BLOCKS, b.direction.equals("write"),
                        Duration.ofNanos(iteration.getTime().convertTo(TimeUnit.NANOSECONDS)));
            } catch (IOException e) {
                System.err.println("fio reference: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        public double fioGbps() {
            return gbps;
        }

        @TearDown(Level.Trial)
        public void delete() throws IOException {
            Files.deleteIfExists(file);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        referenceFile.close();
        Files.deleteIfExists(referencePath);
        for (int i = owned.size() - 1; i >= 0; i--) {
            owned.get(i).close();
        }
        owned.clear();
    }
}
