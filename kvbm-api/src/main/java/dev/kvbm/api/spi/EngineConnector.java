package dev.kvbm.api.spi;

/**
 * An inference engine whose KV cache kvbm holds (llama.cpp, Jlama, ...). Found through the registry by
 * {@link #name()} like tiers; {@link #isAvailable()} probes the engine's library (missing, wrong version)
 * and {@link #unavailabilityCause()} says why it cannot run.
 *
 * <p>The connector moves KV between the engine's own cache and kvbm's G1 blocks: the engine computes,
 * kvbm stores and reuses. It never keeps KV of one request for the next: every reused token comes from
 * kvbm.
 */
public interface EngineConnector extends KvbmProvider {

    /** Loads the model named by {@code options}; fails with a precise error when the file is not a model of this engine. */
    EngineModel open(EngineOptions options);

    /** The model format this engine reads, as {@code kvbm model --format} names it ({@code gguf}, {@code jlama}). */
    String modelFormat();

    /**
     * Writes a randomly initialised model of {@code spec} in this engine's format to {@code out} (a file
     * or a folder, as the format needs). Works without the engine's native library.
     */
    void writeRandomModel(RandomModelSpec spec, java.nio.file.Path out);
}
