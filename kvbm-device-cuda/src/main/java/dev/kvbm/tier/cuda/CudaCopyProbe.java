package dev.kvbm.tier.cuda;

import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.tier.cuda.internal.CudaCopyMeasurement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * Host-device copy throughput of the {@code cuda} engine, each figure next to one plain pinned
 * {@code cuMemcpyAsync} of the same bytes between the same buffers in the same run (the goal: the engine
 * at 90% of it or better). A measurement utility for a GPU machine, not a gated benchmark. Run:
 * {@code KVBM_MAIN=dev.kvbm.tier.cuda/dev.kvbm.tier.cuda.CudaCopyProbe kvbm-cli/target/kvbm-dist/bin/kvbm
 * [device] [--calibrate]}.
 */
public final class CudaCopyProbe {
    private CudaCopyProbe() {
    }

    /** One figure: the engine's GB/s (1e9 bytes/s) and the plain cuMemcpyAsync's over the same bytes. */
    public record Result(String direction, LayoutType hostLayout, LayoutType deviceLayout, long blockBytes, int blocks,
                         String strategy, double engineGBps, double referenceGBps) {
        public double ratio() {
            return engineGBps / referenceGBps;
        }

        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT,
                    "%s host %s / device %s, %d x %d KiB: engine %.2f GB/s (%s) vs cuMemcpyAsync %.2f GB/s = %.0f%%",
                    direction, hostLayout.shortName(), deviceLayout.shortName(), blocks, blockBytes >> 10, engineGBps,
                    strategy, referenceGBps, 100 * ratio());
        }
    }

    /** H2D and D2H of {@code blocks} blocks of {@code blockBytes} (pinned FC host, device layout as given). */
    public static List<Result> measure(int ordinal, long blockBytes, int blocks, int iterations,
                                                           LayoutType deviceLayout) {
        return CudaCopyMeasurement.measure(ordinal, blockBytes, blocks, iterations, deviceLayout, Map.of());
    }

    /** The set: 256 KiB and 2 MiB FC blocks, and 2 MiB blocks into a LayerSeparate device layout. */
    public static List<Result> standard(int ordinal, int iterations) {
        List<Result> all = new ArrayList<>();
        all.addAll(measure(ordinal, 256 << 10, 1024, iterations, LayoutType.FULLY_CONTIGUOUS));
        all.addAll(measure(ordinal, 2 << 20, 128, iterations, LayoutType.FULLY_CONTIGUOUS));
        all.addAll(measure(ordinal, 256 << 10, 1024, iterations, LayoutType.LAYER_SEPARATE_OUTER));
        all.addAll(measure(ordinal, 2 << 20, 128, iterations, LayoutType.LAYER_SEPARATE_OUTER));
        return all;
    }

    /** Measures the kernel-versus-per-region crossover (region bytes) for {@link CudaOptions#KERNEL_MAX_REGION_BYTES}. */
    public static OptionalLong calibrate(int ordinal, int iterations, Consumer<String> log) {
        return CudaCopyMeasurement.calibrate(ordinal, iterations, log);
    }

    public static void main(String[] args) {
        if (!CudaProbe.isAvailable()) {
            System.out.println("CUDA unavailable: " + CudaProbe.unavailabilityCause().orElse("?"));
            System.exit(2);
        }
        int ordinal = args.length > 0 && !args[0].startsWith("--") ? Integer.parseInt(args[0]) : 0;
        for (Result r : standard(ordinal, 10)) {
            System.out.println(r);
        }
        if (List.of(args).contains("--calibrate")) {
            OptionalLong t = calibrate(ordinal, 10, System.out::println);
            System.out.println(CudaOptions.KERNEL_MAX_REGION_BYTES + " = "
                    + (t.isPresent() ? t.getAsLong() : "none (per-region copies win at every size)"));
        }
    }
}
