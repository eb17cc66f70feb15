package dev.kvbm.api.config;

/**
 * Every configuration key kvbm reads, in one place. Environment variables keep Dynamo's
 * {@code DYN_KVBM_*} names and meanings so a deployment's settings carry over; kvbm's own switches
 * are system properties under {@code kvbm.}.
 */
public final class ConfigKeys {
    private ConfigKeys() {
    }

    // --- Dynamo-compatible environment variables ---
    /** G2 size in decimal GB (blocks = floor(GB * 1e9 / bytes per block)). */
    public static final String CPU_CACHE_GB = "DYN_KVBM_CPU_CACHE_GB";
    /** Explicit G2 block count; wins over {@link #CPU_CACHE_GB} when > 0. */
    public static final String CPU_CACHE_OVERRIDE_NUM_BLOCKS = "DYN_KVBM_CPU_CACHE_OVERRIDE_NUM_BLOCKS";
    /** G3 size in decimal GB. */
    public static final String DISK_CACHE_GB = "DYN_KVBM_DISK_CACHE_GB";
    /** Explicit G3 block count; wins over {@link #DISK_CACHE_GB} when > 0. */
    public static final String DISK_CACHE_OVERRIDE_NUM_BLOCKS = "DYN_KVBM_DISK_CACHE_OVERRIDE_NUM_BLOCKS";
    /** Directory of the G3 cache files (default: the system temp dir). */
    public static final String DISK_CACHE_DIR = "DYN_KVBM_DISK_CACHE_DIR";
    /** When present, zero-fill the G3 file where the file system refuses fallocate. */
    public static final String DISK_ZEROFILL_FALLBACK = "DYN_KVBM_DISK_ZEROFILL_FALLBACK";
    /** When present, open the G3 file without O_DIRECT. */
    public static final String DISK_DISABLE_O_DIRECT = "DYN_KVBM_DISK_DISABLE_O_DIRECT";
    /** {@code true} or {@code 1}: every G2 block may reach G3, not only those offloaded twice. */
    public static final String DISABLE_DISK_OFFLOAD_FILTER = "DYN_KVBM_DISABLE_DISK_OFFLOAD_FILTER";
    /** Seconds the leader waits for its workers during the handshake. */
    public static final String LEADER_WORKER_INIT_TIMEOUT_SECS = "DYN_KVBM_LEADER_WORKER_INIT_TIMEOUT_SECS";
    /** Leader host for the ZeroMQ endpoints (default 127.0.0.1). */
    public static final String LEADER_ZMQ_HOST = "DYN_KVBM_LEADER_ZMQ_HOST";
    /** Leader PUB port (default 56001; plus 2 x data-parallel rank). */
    public static final String LEADER_ZMQ_PUB_PORT = "DYN_KVBM_LEADER_ZMQ_PUB_PORT";
    /** Leader PULL (ack) port (default 56002; plus 2 x data-parallel rank). */
    public static final String LEADER_ZMQ_ACK_PORT = "DYN_KVBM_LEADER_ZMQ_ACK_PORT";
    /** Blocks per transfer batch (default 16). */
    public static final String TRANSFER_BATCH_SIZE = "DYN_KVBM_TRANSFER_BATCH_SIZE";

    // --- kvbm system properties ---
    /** Comma-separated provider names to leave out even when available. */
    public static final String PROVIDER_EXCLUDE = "kvbm.provider.exclude";

    // --- defaults shared with Dynamo ---
    public static final int DEFAULT_PAGE_SIZE = 32;
    public static final int MAX_PAGE_SIZE = 1024;
    public static final int DEFAULT_TRANSFER_BATCH_SIZE = 16;
    public static final int MAX_CONCURRENT_TRANSFERS = 4;
    public static final String DEFAULT_LEADER_HOST = "127.0.0.1";
    public static final int DEFAULT_LEADER_PUB_PORT = 56001;
    public static final int DEFAULT_LEADER_ACK_PORT = 56002;
}
