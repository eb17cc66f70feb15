package dev.kvbm.tier.host;

/**
 * The {@link dev.kvbm.api.spi.TierConfig} option keys the host tiers read (every key is also read as a
 * system property of the same name when the option is absent).
 */
public final class HostTierOptions {
    private HostTierOptions() {
    }

    /** Most bytes an allocator hands out at once (default: unbounded). */
    public static final String LIMIT_BYTES = "kvbm.host.limit.bytes";
    /** Bytes per first-touch / mlock / registration chunk (default 128 MiB, at least one page). */
    public static final String CHUNK_BYTES = "kvbm.host.chunk.bytes";
    /** Threads touching and locking chunks in parallel (default: available processors). */
    public static final String TOUCH_THREADS = "kvbm.host.touch.threads";
    /** {@code false} skips mlock altogether (pinned tier becomes pageable); default {@code true}. */
    public static final String MLOCK = "kvbm.host.mlock";

    /** Default chunk size: 128 MiB. */
    public static final long DEFAULT_CHUNK_BYTES = 128L << 20;
    /** Host regions are aligned to at least a page, so O_DIRECT and mlock work on them. */
    public static final long PAGE_BYTES = 4096;
}
