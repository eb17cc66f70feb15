package dev.kvbm.api.spi;

/**
 * A model loaded by an engine. Thread-safe: several sequences may run at once, each on its own thread.
 */
public interface EngineModel extends AutoCloseable {

    /** The engine and its pinned version, for reports ({@code llama.cpp b6... }, {@code jlama 0.8.4}). */
    String engine();

    /** The KV cache shape of this model as the engine holds it. */
    KvGeometry geometry();

    /**
     * The model's identity: a digest of the model's bytes, the KV dtype and the geometry. It goes into
     * kvbm's hash salt, so two models (or one model with another KV type) never share a block.
     */
    String identity();

    /** Logits per position. */
    int vocabSize();

    /** Tokens a sequence may hold. */
    int contextTokens();

    /** A new, empty sequence. */
    EngineSequence newSequence();

    @Override
    void close();
}
