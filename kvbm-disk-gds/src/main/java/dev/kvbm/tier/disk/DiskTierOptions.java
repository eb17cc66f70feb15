package dev.kvbm.tier.disk;

/**
 * Options of the disk tier and its engines. Each is read from the tier (or engine) options first, then
 * from the system property of the same name, then (for the {@code DYN_KVBM_*} names) from the
 * environment, so Dynamo deployments keep their settings.
 */
public final class DiskTierOptions {
    private DiskTierOptions() {
    }

    /** Directory of the cache files (default: {@code java.io.tmpdir}); Dynamo's name. */
    public static final String CACHE_DIR = dev.kvbm.api.config.ConfigKeys.DISK_CACHE_DIR;
    /** Present (any value): open the files without O_DIRECT; Dynamo's name. */
    public static final String DISABLE_O_DIRECT = dev.kvbm.api.config.ConfigKeys.DISK_DISABLE_O_DIRECT;
    /** Present (any value): write zeros where the file system refuses fallocate; Dynamo's name. */
    public static final String ZEROFILL_FALLBACK = dev.kvbm.api.config.ConfigKeys.DISK_ZEROFILL_FALLBACK;
    /** The most bytes the tier's files may hold together (default: unbounded, the free space decides). */
    public static final String LIMIT_BYTES = "kvbm.disk.limit.bytes";
    /** Threads of the {@code posix} engine, i.e. requests in flight (default 4). */
    public static final String POSIX_THREADS = "kvbm.disk.posix.threads";
    /** Reads and writes the {@code io_uring} engine keeps in flight (default 4). */
    public static final String IO_URING_DEPTH = "kvbm.disk.io_uring.depth";
    /** Path of NIXL's C API library ({@code libnixl_capi.so}) for the {@code nixl} engine (system property). */
    public static final String NIXL_LIBRARY = "kvbm.disk.nixl.library";
    /** The same path as an environment variable, when the system property is not set. */
    public static final String NIXL_LIBRARY_ENV = "KVBM_NIXL_LIBRARY";
    /** NIXL backend of the {@code nixl} engine: {@code POSIX} (default) or {@code GDS_MT}. */
    public static final String NIXL_BACKEND = "kvbm.disk.nixl.backend";
    /** Path of {@code libcufile.so} (default: the loader's search path). */
    public static final String CUFILE_LIBRARY = "kvbm.disk.cufile.library";
    /** File names of the tier: {@code kvbm-g3-<pid>-<process start ms>-<n>.kv}. */
    public static final String FILE_PREFIX = "kvbm-g3-";
}
