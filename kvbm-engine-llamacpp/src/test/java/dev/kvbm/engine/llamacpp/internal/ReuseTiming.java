package dev.kvbm.engine.llamacpp.internal;

import dev.kvbm.api.spi.EngineModel;
import dev.kvbm.api.spi.EngineOptions;
import dev.kvbm.api.spi.EngineSequence;
import dev.kvbm.api.spi.RandomModelSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * A measurement harness, not a test: on the default tiny model, the time to prefill 2048 tokens from scratch
 * against restoring 1792 of them (112 blocks of 16) from kvbm-shaped blocks and prefilling the last 256, and the
 * save/load cost per block. Run from the module folder after {@code verify}:
 * {@code java --enable-native-access=ALL-UNNAMED -cp target/classes:target/test-classes:<kvbm-api.jar>
 * dev.kvbm.engine.llamacpp.internal.ReuseTiming [threads] [ubatch] [reps]}.
 */
public final class ReuseTiming {
    private static final int PAGE = 16;
    private static final int TOKENS = 2048;
    private static final int CACHED_BLOCKS = 112;

    private ReuseTiming() {
    }

    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        String ubatch = args.length > 1 ? args[1] : "32";
        int reps = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        LlamaCppConnector connector = new LlamaCppConnector();
        if (!connector.isAvailable()) {
            throw new IllegalStateException(connector.unavailabilityCause().orElseThrow());
        }
        Path dir = Files.createTempDirectory("kvbm-timing");
        Path model = dir.resolve("tiny.gguf");
        long w0 = System.nanoTime();
        connector.writeRandomModel(RandomModelSpec.TINY, model);
        System.out.printf("wrote tiny model (%d MiB) in %.0f ms%n", Files.size(model) >> 20, ms(System.nanoTime() - w0));
        int[] prompt = TinyModels.tokens(99, TOKENS, RandomModelSpec.TINY.vocab());
        int cached = CACHED_BLOCKS * PAGE;
        try (EngineModel m = connector.open(new EngineOptions(model, threads, TOKENS, Map.of("ubatch", ubatch)));
             TestPages pages = new TestPages(m.geometry(), PAGE, TOKENS / PAGE)) {
            System.out.printf("%s, geometry %s, threads %d, ubatch %s%n", m.engine(), m.geometry(), threads, ubatch);
            for (int rep = 0; rep <= reps; rep++) {
                float[] full;
                long fullCpu;
                long fullNs;
                long saveNs;
                try (EngineSequence s = m.newSequence()) {
                    long c0 = processCpuNanos();
                    long t0 = System.nanoTime();
                    full = s.decode(prompt);
                    fullNs = System.nanoTime() - t0;
                    fullCpu = processCpuNanos() - c0;
                    long t1 = System.nanoTime();
                    s.save(0, pages);
                    saveNs = System.nanoTime() - t1;
                }
                long loadNs;
                long suffixNs;
                long reuseCpu;
                float[] reused;
                try (EngineSequence s = m.newSequence()) {
                    long c0 = processCpuNanos();
                    long t0 = System.nanoTime();
                    s.load(pages.slice(0, CACHED_BLOCKS));
                    loadNs = System.nanoTime() - t0;
                    long t1 = System.nanoTime();
                    reused = s.decode(Arrays.copyOfRange(prompt, cached, TOKENS));
                    suffixNs = System.nanoTime() - t1;
                    reuseCpu = processCpuNanos() - c0;
                }
                boolean exact = Arrays.equals(bits(full), bits(reused));
                int blocks = TOKENS / PAGE;
                double recomputePerBlock = ms(fullNs) / blocks;
                double suffixPerBlock = ms(suffixNs) / ((TOKENS - cached) / PAGE);
                double savePerBlock = ms(saveNs) / blocks;
                double loadPerBlock = ms(loadNs) / CACHED_BLOCKS;
                System.out.printf("%s: full %.1f ms | load %d blocks %.2f ms + decode %d %.1f ms = %.1f ms -> %.2fx"
                                + " | per block: save %.3f ms, load %.3f ms, save+load %.3f ms = %.1f%% of recompute %.3f ms"
                                + " (%.1f%% of a suffix block %.3f ms) | process CPU time full %.0f ms vs"
                                + " load+decode %.0f ms -> %.2fx | logits bit-exact: %s%n",
                        rep == 0 ? "warm-up" : "rep " + rep, ms(fullNs), CACHED_BLOCKS, ms(loadNs), TOKENS - cached,
                        ms(suffixNs), ms(loadNs + suffixNs), (double) fullNs / (loadNs + suffixNs), savePerBlock,
                        loadPerBlock, savePerBlock + loadPerBlock,
                        100 * (savePerBlock + loadPerBlock) / recomputePerBlock, recomputePerBlock,
                        100 * (savePerBlock + loadPerBlock) / suffixPerBlock, suffixPerBlock, ms(fullCpu),
                        ms(reuseCpu), (double) fullCpu / reuseCpu, exact);
            }
        } finally {
            Files.deleteIfExists(model);
            Files.deleteIfExists(dir);
        }
    }

    /** CPU time of this process: with 1 engine thread, the compute itself, robust to other load on the machine. */
    private static long processCpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().orElseThrow().toNanos();
    }

    private static int[] bits(float[] f) {
        int[] b = new int[f.length];
        for (int i = 0; i < f.length; i++) {
            b[i] = Float.floatToRawIntBits(f[i]);
        }
        return b;
    }

    private static double ms(long ns) {
        return ns / 1e6;
    }
}
