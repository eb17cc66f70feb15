package dev.kvbm.engine.jlama.internal;

import static dev.kvbm.engine.jlama.internal.TinyModel.PAGE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.spi.EngineModel;
import dev.kvbm.api.spi.EngineOptions;
import dev.kvbm.api.spi.EngineSequence;
import dev.kvbm.api.spi.RandomModelSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Several sequences of one model, each on its own thread, at once: each gets the logits it gets alone. On
 * the native path bit for bit. On the pure-Java path (where the native library does not load) within
 * {@link #PURE_JAVA_JIT_BOUND}: there a method the JIT deoptimises mid-run runs a while in the interpreter,
 * whose Vector API lane order moves some logits by an ulp (seen: ~400 of 512, by 3.6e-7), which says
 * nothing about threads; a race on Jlama's scratch arrays would mix other prompts' activations in, far
 * beyond that bound.
 */
class JlamaConcurrencyTest {

    private static final int THREADS = 3;
    private static final int ROUNDS = 2;
    static final double PURE_JAVA_JIT_BOUND = 1e-5;

    @Test
    void sequencesOnSeveralThreadsMatchRunningAlone() throws Exception {
        runConcurrently(TinyModel.model(), 6 * PAGE, 40);
    }

    /** heads == kvHeads: Jlama's other attention path (its Q/K/V scratch arrays per layer, like the MLP's). */
    @Test
    void aModelWithoutGroupedQueryAttentionIsSafeToo() throws Exception {
        RandomModelSpec mha = new RandomModelSpec(2, 64, 4, 4, 128, 64, 1024, 5);
        try (EngineModel m = new JlamaConnector().open(new EngineOptions(TinyModel.write(mha), TinyModel.THREADS, 1018))) {
            runConcurrently(m, 4 * PAGE, 24);
        }
    }

    private static void runConcurrently(EngineModel model, int prefix, int suffix) throws Exception {
        TinyModel.warmUp(model, prefix, suffix); // the JIT settles on these very shapes before the references
        List<int[]> prompts = new ArrayList<>();
        List<float[]> alone = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int[] p = TinyModel.tokens(1000 + t, prefix + suffix, model.vocabSize());
            prompts.add(p);
            alone.add(reuse(model, p, prefix));
        }
        CyclicBarrier start = new CyclicBarrier(THREADS);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<List<float[]>>> results = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int[] p = prompts.get(t);
                results.add(pool.submit(() -> {
                    start.await(30, TimeUnit.SECONDS);
                    List<float[]> mine = new ArrayList<>();
                    for (int r = 0; r < ROUNDS; r++) {
                        mine.add(reuse(model, p, prefix));
                    }
                    return mine;
                }));
            }
            for (int t = 0; t < THREADS; t++) {
                List<float[]> got = results.get(t).get(300, TimeUnit.SECONDS);
                for (int r = 0; r < ROUNDS; r++) {
                    if (TinyModel.pureJavaPath()) {
                        double diff = TinyModel.maxAbsDifference(alone.get(t), got.get(r));
                        assertTrue(diff <= PURE_JAVA_JIT_BOUND, "thread " + t + " round " + r + ": " + diff);
                    } else {
                        assertEquals(0, TinyModel.bitDifferences(alone.get(t), got.get(r)), "thread " + t + " round " + r
                                + ": max difference " + TinyModel.maxAbsDifference(alone.get(t), got.get(r)));
                    }
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Prefill the prefix, save it, clear, restore it, prefill the rest: the serving path of one request. */
    private static float[] reuse(EngineModel model, int[] prompt, int prefix) {
        try (OffHeapPages pages = new OffHeapPages(model.geometry(), PAGE, prefix / PAGE);
             EngineSequence s = model.newSequence()) {
            s.decode(Arrays.copyOf(prompt, prefix));
            s.save(0, pages);
            s.clear();
            s.load(pages);
            return s.decode(Arrays.copyOfRange(prompt, prefix, prompt.length));
        }
    }
}
