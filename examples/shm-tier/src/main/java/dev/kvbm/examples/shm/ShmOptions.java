package dev.kvbm.examples.shm;

/** The options of the {@code shm} tier: keys of the tier configuration, else system properties of the same name. */
public final class ShmOptions {
    /** The provider's name. */
    public static final String PROVIDER = "shm";
    /** The directory of the mapped files; a tmpfs, {@code /dev/shm} by default. */
    public static final String DIRECTORY = "kvbm.shm.dir";
    /** The default of {@link #DIRECTORY}. */
    public static final String DEFAULT_DIRECTORY = "/dev/shm";
    /** The most bytes one allocator maps at once; the file system's usable space by default. */
    public static final String LIMIT_BYTES = "kvbm.shm.limit.bytes";
    /** The prefix of every file the tier creates (removed when its storage closes). */
    public static final String FILE_PREFIX = "kvbm-shm-";

    private ShmOptions() {
    }
}
