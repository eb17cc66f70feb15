package dev.kvbm.tier.host.internal;

import dev.kvbm.api.spi.ProbedProvider;
import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.spi.ReferenceCopy;
import dev.kvbm.api.spi.StorageKind;
import dev.kvbm.api.spi.TransferEngine;
import dev.kvbm.api.spi.TransferEngineProvider;
import java.util.Map;
import java.util.Optional;

/** {@code memcpy}: host-to-host copies between SYSTEM and PINNED memory with libc {@code memcpy}. */
public final class MemcpyEngineProvider extends ProbedProvider implements TransferEngineProvider {
    public static final String NAME = dev.kvbm.api.spi.ProviderNames.MEMCPY;
    /** Worker threads (default min(available processors, 4)). */
    public static final String THREADS = "kvbm.memcpy.threads";
    /** Batches of at least this many bytes are split across the workers (default 8 MiB). */
    public static final String PARALLEL_BYTES = "kvbm.memcpy.parallel.bytes";
    /** The least bytes one worker gets when a batch is split (default 2 MiB). */
    public static final String TASK_BYTES = "kvbm.memcpy.task.bytes";

    public MemcpyEngineProvider() {
        super(NAME, "host-to-host block copies (libc memcpy on the calling thread, adjacent pages coalesced, "
                + "large batches split with kvbm-memcpy-N workers)");
    }

    @Override
    public int preference(StorageKind source, StorageKind target) {
        return source.hostAddressable() && target.hostAddressable() ? 10 : UNSUPPORTED;
    }

    /** This engine against libc memcpy over the same FullyContiguous pageable buffers ({@code HostCopyProbe}). */
    @Override
    public Optional<ReferenceCopy> measureReference(long blockBytes, int blocks, int iterations) {
        var r = HostCopyMeasurement.measure(blockBytes, blocks, iterations, LayoutType.FULLY_CONTIGUOUS,
                LayoutType.FULLY_CONTIGUOUS);
        return Optional.of(new ReferenceCopy("libc memcpy", r.blockBytes(), r.blocks(), r.iterations(), r.engineGBps(),
                r.memcpyGBps()));
    }

    @Override
    public TransferEngine create(Map<String, String> options) {
        Settings s = Settings.of(options);
        return new MemcpyTransferEngine(s.threads(), s.parallelBytes(), s.taskBytes());
    }

    /**
     * How many threads (the caller and kvbm-memcpy-N workers) an engine made with {@code options} copies a batch
     * of {@code batchBytes} with: what a thread-matched reference must use.
     */
    public static int parallelism(Map<String, String> options, long batchBytes) {
        Settings s = Settings.of(options);
        return MemcpyTransferEngine.parts(s.threads(), s.parallelBytes(), s.taskBytes(), batchBytes);
    }

    /** The engine's options, from the tier config or system properties, with their defaults. */
    private record Settings(int threads, long parallelBytes, long taskBytes) {
        static Settings of(Map<String, String> options) {
            Map<String, String> o = options == null ? Map.of() : options;
            int threads = (int) Options.longOption(o, THREADS, Math.min(Runtime.getRuntime().availableProcessors(), 4),
                    1, 256);
            long parallel = Options.longOption(o, PARALLEL_BYTES, 8L << 20, 1, Long.MAX_VALUE);
            long task = Options.longOption(o, TASK_BYTES, 2L << 20, 1, Long.MAX_VALUE);
            return new Settings(threads, parallel, task);
        }
    }
}
