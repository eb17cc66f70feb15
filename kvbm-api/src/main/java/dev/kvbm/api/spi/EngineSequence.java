package dev.kvbm.api.spi;

/**
 * One sequence in the engine: the KV of its tokens so far. Not thread-safe; one thread drives it.
 */
public interface EngineSequence extends AutoCloseable {

    /** Tokens whose KV the engine holds for this sequence. */
    int length();

    /**
     * Computes {@code tokens} at positions {@code length() ..} (prefill), appending their KV, and returns
     * the logits of the last position ({@code vocabSize} floats).
     */
    float[] decode(int[] tokens);

    /**
     * Copies the KV of tokens {@code [firstBlock * pageSize, (firstBlock + target.count()) * pageSize)}
     * into {@code target}'s blocks. Those tokens must already be computed.
     */
    void save(int firstBlock, KvPages target);

    /**
     * Restores {@code source}'s blocks as this sequence's first {@code source.count() * pageSize} tokens.
     * The sequence must be empty; afterwards {@link #length()} is that many tokens.
     */
    void load(KvPages source);

    /** Forgets every token (the engine's KV for this sequence is dropped). */
    void clear();

    @Override
    void close();
}
