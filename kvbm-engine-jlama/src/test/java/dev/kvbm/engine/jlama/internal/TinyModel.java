package dev.kvbm.engine.jlama.internal;

import com.github.tjake.jlama.tensor.operations.TensorOperationsProvider;
import dev.kvbm.api.spi.EngineModel;
import dev.kvbm.api.spi.EngineOptions;
import dev.kvbm.api.spi.RandomModelSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * The default tiny model ({@link RandomModelSpec#TINY}), written once per test JVM into a temp folder and
 * opened once with one compute thread (Jlama's pool is process-wide) and warmed up ({@link #warmUp});
 * shared by the test classes.
 */
final class TinyModel {

    static final int THREADS = 1;
    /** TINY's 4096 positions less the 6 Jlama 0.8.4's RoPE indexing needs ({@link JlamaEngineModel#usableContext}). */
    static final int CONTEXT = 4090;
    static final int PAGE = 16;

    private static Path folder;
    private static EngineModel model;

    private TinyModel() {
    }

    static synchronized Path folder() {
        if (folder == null) {
            folder = write(RandomModelSpec.TINY);
        }
        return folder;
    }

    static synchronized EngineModel model() {
        if (model == null) {
            model = new JlamaConnector().open(new EngineOptions(folder(), THREADS, CONTEXT));
            warmUp(model);
        }
        return model;
    }

    static Path write(RandomModelSpec spec) {
        try {
            Path dir = Files.createTempDirectory("kvbm-jlama-model");
            dir.toFile().deleteOnExit();
            new JlamaConnector().writeRandomModel(spec, dir);
            for (String f : new String[] {RandomJlamaModel.CONFIG, RandomJlamaModel.TOKENIZER, RandomJlamaModel.WEIGHTS}) {
                dir.resolve(f).toFile().deleteOnExit();
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs the save -> clear -> load -> prefill path until the JIT has settled: before C2 compiles Jlama's
     * Vector API loops, the interpreter's lane order gives other float bits on the pure-Java path (seen: 401
     * of 512 logits 1 ulp apart on a first run). Settled = two rounds in a row give the same bits (the
     * pure-java-path execution also runs with -Xbatch, so a compiled method is used as soon as it is ready).
     * Exact comparisons start after this.
     */
    static int warmUp(EngineModel m) {
        return warmUp(m, 28 * PAGE, 64);
    }

    /** {@link #warmUp(EngineModel)} on prompts of {@code prefix} cached and {@code suffix} computed tokens. */
    static int warmUp(EngineModel m, int prefix, int suffix) {
        int[] prompt = tokens(99, prefix + suffix, m.vocabSize());
        float[] previous = null;
        int stable = 0;
        int round = 0;
        while (round < 12 && stable < 2) {
            round++;
            try (OffHeapPages pages = new OffHeapPages(m.geometry(), PAGE, prefix / PAGE);
                 dev.kvbm.api.spi.EngineSequence s = m.newSequence()) {
                s.decode(java.util.Arrays.copyOf(prompt, prefix));
                s.save(0, pages);
                s.clear();
                s.load(pages);
                float[] logits = s.decode(java.util.Arrays.copyOfRange(prompt, prefix, prompt.length));
                stable = previous != null && bitDifferences(previous, logits) == 0 ? stable + 1 : 0;
                previous = logits;
            }
        }
        return round;
    }

    /** Token ids 3..vocab-1 (0..2 are unk, bos, eos), the same for a seed. */
    static int[] tokens(long seed, int n, int vocab) {
        return new Random(seed).ints(n, 3, vocab).toArray();
    }

    /** Whether this JVM runs Jlama's pure-Java (Panama Vector API) tensor operations rather than native SIMD. */
    static boolean pureJavaPath() {
        return TensorOperationsProvider.get().name().startsWith("Panama");
    }

    /** Positions whose raw float bits differ. */
    static int bitDifferences(float[] a, float[] b) {
        int n = 0;
        for (int i = 0; i < a.length; i++) {
            if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
                n++;
            }
        }
        return n;
    }

    static double maxAbsDifference(float[] a, float[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs((double) a[i] - b[i]));
        }
        return max;
    }
}
