package dev.kvbm.api.spi;

import java.lang.foreign.MemorySegment;

/**
 * A run of kvbm blocks as an engine connector sees them: block {@code i} holds tokens
 * {@code [i * pageSize(), (i + 1) * pageSize())} of the run. Each memory region holds one component of
 * one layer for the block's tokens, token-major: {@code pageSize x inner} elements, each token's
 * {@code inner} elements contiguous (the order of llama.cpp's rows and Jlama's KV rows).
 */
public interface KvPages {

    /** Tokens per block. */
    int pageSize();

    /** Blocks in the run. */
    int count();

    /**
     * The region of {@code block}'s {@code layer} and {@code outer} component (0 = K, 1 = V), as a slice
     * of exactly {@code pageSize x inner x dtypeBytes} bytes; valid until the run is released.
     */
    MemorySegment region(int block, int layer, int outer);
}
