package dev.kvbm.tck;

/**
 * Optional capabilities a module under test may lack. A contract's test that needs one asks the subclass's
 * {@code hasBehavior(...)} and is skipped (a JUnit assumption naming the behaviour) when the answer is no.
 */
public enum Behavior {
    /** The storage under a transfer engine's test can be laid out LayerSeparate (one region per layer). */
    LAYER_SEPARATE_UNDER_TEST,
    /**
     * The transfer engine copies runs that are not multiples of the storage's I/O alignment (strided layouts such as
     * HiCache's page-first). Without it, the engine must refuse such a transfer before any byte moves.
     */
    UNALIGNED_RUNS,
    /** The transfer engine serves several transfers at once from several caller threads. */
    CONCURRENT_TRANSFERS,
    /** Storage handed out is host memory the test can write and read through {@code HostMemoryStorage}. */
    HOST_ADDRESSABLE_STORAGE,
    /** A transport test can put raw, malformed frames on the wire to the worker ({@code TransportContract#sendMalformed}). */
    RAW_FRAMES
}
