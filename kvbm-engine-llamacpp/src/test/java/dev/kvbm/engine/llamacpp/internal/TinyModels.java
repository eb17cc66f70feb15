package dev.kvbm.engine.llamacpp.internal;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kvbm.api.spi.RandomModelSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Random GGUF models written once per JVM, and the skip when llama.cpp cannot run here. */
final class TinyModels {
    private static final Map<RandomModelSpec, Path> WRITTEN = new ConcurrentHashMap<>();
    /** Small enough for fast tests, big enough for several blocks and real attention. */
    static final RandomModelSpec SMALL = new RandomModelSpec(2, 64, 4, 2, 128, 97, 512, 7);

    private TinyModels() {
    }

    static Path gguf(RandomModelSpec spec) {
        return WRITTEN.computeIfAbsent(spec, s -> {
            try {
                Path dir = Files.createTempDirectory("kvbm-llamacpp-test");
                dir.toFile().deleteOnExit();
                Path file = dir.resolve("model-" + s.seed() + ".gguf");
                RandomGgufModel.write(s, file);
                file.toFile().deleteOnExit();
                return file;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** The connector over this build's target/llama.cpp; skips the test, naming why, when it cannot run. */
    static LlamaCppConnector connector() {
        LlamaCppConnector c = new LlamaCppConnector();
        assumeTrue(c.isAvailable(), () -> "llama.cpp unavailable: " + c.unavailabilityCause().orElse("?"));
        return c;
    }

    /** Deterministic token ids for a prompt. */
    static int[] tokens(long seed, int n, int vocab) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = r.nextInt(vocab);
        }
        return t;
    }
}
