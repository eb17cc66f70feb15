package dev.kvbm.cli.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.config.ConfigKeys;
import dev.kvbm.api.config.EnvironmentVariables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * What {@code kvbm replay} checks before it allocates anything: tier sizes from the options or Dynamo's
 * variables (read through {@link EnvironmentVariables}, so garbage is an error naming the variable), host memory
 * and disk space against what the machine has.
 */
final class ReplayPreflight {
    private ReplayPreflight() {
    }

    /** A tier's block count and the option or variable it came from (null: the default), which messages name. */
    record TierSize(int blocks, String source) {
    }

    /**
     * A tier's block count: {@code --gX-blocks}, else {@code --gX-gb} (decimal GB, as Dynamo counts), else the
     * variable {@code countVariable} when > 0, else {@code gbVariable}, else {@code fallback}.
     */
    static TierSize tierSize(Integer blocks, String blocksOption, Double gb, String gbOption, EnvironmentVariables env,
                             String countVariable, String gbVariable, int fallback, long blockBytes) {
        if (blocks != null) {
            return new TierSize(OptionChecks.range(blocksOption, blocks, 0, Integer.MAX_VALUE), blocksOption);
        }
        if (gb != null) {
            return new TierSize(gbToBlocks(gb, blockBytes, gbOption, UsageException::new), gbOption);
        }
        OptionalInt count = env.blockCount(countVariable);
        if (count.isPresent() && count.getAsInt() > 0) {
            return new TierSize(count.getAsInt(), countVariable);
        }
        OptionalDouble envGb = env.gigabytes(gbVariable);
        if (envGb.isPresent()) {
            return new TierSize(gbToBlocks(envGb.getAsDouble(), blockBytes, gbVariable,
                    m -> KvbmException.forField(ErrorCode.INVALID_CONFIG, gbVariable, m)), gbVariable);
        }
        return new TierSize(fallback, null);
    }

    static int tierBlocks(Integer blocks, String blocksOption, Double gb, String gbOption, EnvironmentVariables env,
                          String countVariable, String gbVariable, int fallback, long blockBytes) {
        return tierSize(blocks, blocksOption, gb, gbOption, env, countVariable, gbVariable, fallback, blockBytes).blocks();
    }

    /** G3 blocks from Dynamo's variables alone (no option given): 0, no G3, when neither is set. */
    static int diskBlocksFromEnvironment(EnvironmentVariables env, long blockBytes) {
        return tierBlocks(null, "--g3-blocks", null, "--g3-gb", env, ConfigKeys.DISK_CACHE_OVERRIDE_NUM_BLOCKS,
                ConfigKeys.DISK_CACHE_GB, 0, blockBytes);
    }

    private static int gbToBlocks(double gb, long blockBytes, String name,
                                  java.util.function.Function<String, RuntimeException> error) {
        double blocks = Math.floor(gb * 1e9 / blockBytes);
        if (gb > 0 && blocks < 1) {
            // A size asked for but smaller than one block is a mistake, not "no tier" (0 says that).
            throw error.apply(name + " of " + gb + " GB is less than one block of " + blockBytes + " bytes; give 0 for "
                    + "no tier or at least " + blockBytes / 1e9 + " GB");
        }
        if (blocks > Integer.MAX_VALUE) {
            throw error.apply(name + " of " + gb + " GB is " + (long) blocks + " blocks, more than " + Integer.MAX_VALUE);
        }
        return (int) blocks;
    }

    /** The variables the manager reads itself, checked here so a bad one fails before anything is allocated. */
    static void checkManagerVariables(EnvironmentVariables env) {
        env.bool(ConfigKeys.DISABLE_DISK_OFFLOAD_FILTER);
        env.integer(ConfigKeys.TRANSFER_BATCH_SIZE, 1, 1024);
    }

    /** Refuses host tiers larger than the memory the machine can give, before anything is allocated. */
    static void checkMemory(int g1, int g2, long blockBytes) {
        long wanted = Math.multiplyHigh(g1 + (long) g2, blockBytes) != 0 ? Long.MAX_VALUE : (g1 + (long) g2) * blockBytes;
        OptionalLong available = memAvailable();
        if (available.isPresent() && wanted > available.getAsLong()) {
            throw KvbmException.forField(ErrorCode.INVALID_CONFIG, "g2Blocks", String.format(
                    "G1 (%d blocks) and G2 (%d blocks) of %d bytes need %.2f GiB of host memory, but the machine has "
                            + "%.2f GiB available (MemAvailable in /proc/meminfo); lower --g2-blocks/--g2-gb or --g1-blocks",
                    g1, g2, blockBytes, wanted / (double) (1L << 30), available.getAsLong() / (double) (1L << 30)));
        }
    }

    /**
     * Refuses a G3 larger than the free space where its file goes (G3 is disk, not host memory), before
     * anything is written; the disk tier checks again when it creates the file.
     */
    static void checkDisk(TierSize g3Size, long blockBytes, EnvironmentVariables env) {
        int g3 = g3Size.blocks();
        if (g3 == 0) {
            return;
        }
        Path dir = cacheDirectory(env);
        long wanted = Math.multiplyHigh(g3, blockBytes) != 0 ? Long.MAX_VALUE : g3 * blockBytes;
        long free;
        try {
            Path existing = dir.toAbsolutePath();
            while (existing != null && !Files.exists(existing)) {
                existing = existing.getParent(); // the tier creates the directory; its file system is the parent's
            }
            if (existing == null) {
                return;
            }
            free = Files.getFileStore(existing).getUsableSpace();
        } catch (IOException e) {
            return; // the tier reports what it cannot reach
        }
        if (wanted > free) {
            throw KvbmException.forField(ErrorCode.INVALID_CONFIG, "g3Blocks", String.format(
                    "G3 (%d blocks of %d bytes) needs %.2f GB of disk, but %s has %.2f GB free; lower %s or set %s to a "
                            + "larger file system", g3, blockBytes, wanted / 1e9, dir, free / 1e9, g3Size.source(),
                    ConfigKeys.DISK_CACHE_DIR));
        }
    }

    /**
     * Where the G3 files go ({@code DYN_KVBM_DISK_CACHE_DIR}, else the temp dir), the disk tier's system property first, as the tier reads it. A file of that name, or a file in
     * the way of the directories the tier would create, is a usage error now rather than a failure at allocation.
     */
    static Path cacheDirectory(EnvironmentVariables env) {
        // Where the disk tier looks: its system property, then the variable, then the temp dir.
        String name = System.getProperty(ConfigKeys.DISK_CACHE_DIR);
        Path dir = Path.of(name != null ? name : env.string(ConfigKeys.DISK_CACHE_DIR)
                .orElse(System.getProperty("java.io.tmpdir")));
        for (Path p = dir.toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p)) {
                break;
            }
            if (Files.exists(p)) {
                throw KvbmException.forField(ErrorCode.INVALID_CONFIG, ConfigKeys.DISK_CACHE_DIR, ConfigKeys.DISK_CACHE_DIR
                        + " must name a directory, but " + p + " is a file");
            }
        }
        return dir;
    }

    static OptionalLong memAvailable() {
        return dev.kvbm.core.cluster.HostMemory.available();
    }

}
