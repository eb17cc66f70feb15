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
 * opened once with one compute thread (Jlama's pool is process-wide); shared by the test classes.
 */
final class TinyModel {

    static final int THREADS = 1;
    static final int CONTEXT = 4096;
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
