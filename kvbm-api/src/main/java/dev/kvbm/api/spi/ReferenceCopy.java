package dev.kvbm.api.spi;

import java.util.Locale;

/**
 * A transfer engine's throughput measured next to its physical reference in the same run, over the same buffers
 * (for the {@code memcpy} engine: libc {@code memcpy} issuing the same copies on one thread). What a report prints
 * as "engine X GB/s vs reference Y GB/s"; see {@link TransferEngineProvider#measureReference}.
 *
 * @param reference     what the reference is, for reports (for example {@code libc memcpy})
 * @param blockBytes    bytes of one block
 * @param blocks        blocks per batch
 * @param iterations    timed batches (after one warm-up batch)
 * @param engineGBps    the engine's throughput, 1e9 bytes per second
 * @param referenceGBps the reference's throughput over the same copies, or NaN when it cannot run here
 */
public record ReferenceCopy(String reference, long blockBytes, int blocks, int iterations, double engineGBps,
                            double referenceGBps) {
    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%d x %d bytes: engine %.2f GB/s vs %s %.2f GB/s", blocks, blockBytes,
                engineGBps, reference, referenceGBps);
    }
}
