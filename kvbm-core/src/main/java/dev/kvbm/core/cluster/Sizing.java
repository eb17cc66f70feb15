package dev.kvbm.core.cluster;

import dev.kvbm.api.config.ConfigKeys;
import dev.kvbm.api.spi.LeaderMetadata;
import java.util.Map;

/** G2/G3 sizes the leader hands its workers: a block count when above 0, else decimal GB over the summed bytes per block. */
public record Sizing(long hostBlocks, double hostGb, long diskBlocks, double diskGb) {
    private static final System.Logger LOG = System.getLogger(Sizing.class.getName());

    /** {@code DYN_KVBM_CPU_CACHE_GB}, {@code _OVERRIDE_NUM_BLOCKS} and the disk equivalents; unset or invalid is 0. */
    public static Sizing fromEnvironment(Map<String, String> env) {
        return new Sizing(count(env, ConfigKeys.CPU_CACHE_OVERRIDE_NUM_BLOCKS), gb(env, ConfigKeys.CPU_CACHE_GB),
                count(env, ConfigKeys.DISK_CACHE_OVERRIDE_NUM_BLOCKS), gb(env, ConfigKeys.DISK_CACHE_GB));
    }

    /** Whether neither G2 nor G3 can get a block, whatever the workers' block size. */
    public boolean empty() {
        return hostBlocks <= 0 && hostGb <= 0 && diskBlocks <= 0 && diskGb <= 0;
    }

    public LeaderMetadata compute(long bytesPerBlock) {
        return new LeaderMetadata(blocks(hostBlocks, hostGb, bytesPerBlock), blocks(diskBlocks, diskGb, bytesPerBlock));
    }

    private static long blocks(long override, double gb, long bytesPerBlock) {
        return override > 0 ? override : bytesPerBlock <= 0 ? 0 : (long) Math.floor(gb * 1e9 / bytesPerBlock);
    }

    private static long count(Map<String, String> env, String key) {
        try {
            return Math.max(0, Long.parseLong(env.getOrDefault(key, "0").trim()));
        } catch (NumberFormatException e) {
            LOG.log(System.Logger.Level.WARNING, key + " must be a block count (got '" + env.get(key) + "'); using 0");
            return 0;
        }
    }

    private static double gb(Map<String, String> env, String key) {
        try {
            double v = Double.parseDouble(env.getOrDefault(key, "0").trim());
            return v >= 0 && Double.isFinite(v) ? v : 0;
        } catch (NumberFormatException e) {
            LOG.log(System.Logger.Level.WARNING, key + " must be decimal GB (got '" + env.get(key) + "'); using 0");
            return 0;
        }
    }
}
