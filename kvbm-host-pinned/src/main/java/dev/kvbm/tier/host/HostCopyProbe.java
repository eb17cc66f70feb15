package dev.kvbm.tier.host;

import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.tier.host.internal.HostCopyMeasurement;

/**
 * Measures host copy throughput the way a report prints it: "engine X GB/s vs memcpy Y GB/s". Both
 * figures come from the same run over the same pageable buffers: the {@code memcpy} transfer engine
 * copying {@code blocks} blocks per batch (its worker pool included), and libc {@code memcpy} issuing the
 * same copies one after another on the calling thread. A measurement utility, not a benchmark harness
 * (use kvbm-bench's JMH benchmarks for gated numbers).
 */
public final class HostCopyProbe {
    private HostCopyProbe() {
    }

    /**
     * One measurement.
     *
     * @param blockBytes   bytes of one block
     * @param blocks       blocks per batch
     * @param iterations   timed batches (after one warm-up batch)
     * @param source       the source layout type
     * @param target       the target layout type
     * @param copiesPerBatch copies the engine's plan issues per batch (after coalescing)
     * @param engineGBps   memcpy engine throughput, 1e9 bytes per second
     * @param memcpyGBps   libc memcpy throughput over the same copies, or NaN when libc is unavailable
     */
    public record Result(long blockBytes, int blocks, int iterations, LayoutType source, LayoutType target,
                         int copiesPerBatch, double engineGBps, double memcpyGBps) {
        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "%s->%s %d x %d bytes: engine %.2f GB/s vs memcpy %.2f GB/s",
                    source.shortName(), target.shortName(), blocks, blockBytes, engineGBps, memcpyGBps);
        }
    }

    /**
     * How many threads the default {@code memcpy} engine (options from system properties) copies a batch of
     * {@code batchBytes} with: the caller alone below its split threshold, else the caller and its workers. A
     * reference for a split batch must copy with as many threads to be a fair one.
     */
    public static int engineThreads(long batchBytes) {
        return dev.kvbm.tier.host.internal.MemcpyEngineProvider.parallelism(java.util.Map.of(), batchBytes);
    }

    /** FullyContiguous to FullyContiguous. */
    public static Result measure(long blockBytes, int blocks, int iterations) {
        return measure(blockBytes, blocks, iterations, LayoutType.FULLY_CONTIGUOUS, LayoutType.FULLY_CONTIGUOUS);
    }

    /**
     * Copies {@code blocks} blocks of {@code blockBytes} bytes (a multiple of 256 uses 4 layers x 2 outer x
     * 16 tokens of 2-byte elements; any other size one layer, one outer, one token of 1-byte elements)
     * from a {@code source} layout to a {@code target} layout, {@code iterations} times.
     */
    public static Result measure(long blockBytes, int blocks, int iterations, LayoutType source, LayoutType target) {
        return HostCopyMeasurement.measure(blockBytes, blocks, iterations, source, target);
    }
}
