package dev.kvbm.core.cluster;

import dev.kvbm.api.KvbmException;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.LayoutType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalInt;

/**
 * What a worker holds: G1's geometry and block count, its layout, options for the tier providers.
 *
 * @param rank      replicated mode when present: every rank holds the same KV; only rank 0 allocates G2 and G3,
 *                  and the other ranks onboard from rank 0's G2 through shared host memory and from rank 0's G3
 *                  by reading its cache files themselves (one host). Empty: sharded, every worker allocates its
 *                  own tiers.
 * @param sharedDir where rank 0's G2 is shared and its G3 files are published (replicated mode)
 * @param group     names the shared region; ranks of one leader agree on it (default: from the leader's endpoint)
 */
public record WorkerSpec(LayoutConfig g1, LayoutType g1Layout, Map<String, String> tierOptions, Duration transferTimeout,
                         OptionalInt rank, Path sharedDir, String group) {
    public WorkerSpec {
        tierOptions = Map.copyOf(tierOptions);
        if (rank.isPresent() && rank.getAsInt() < 0) {
            throw KvbmException.invalid("rank", rank.getAsInt(), ">= 0");
        }
    }

    public WorkerSpec(LayoutConfig g1, LayoutType g1Layout, Map<String, String> tierOptions, Duration transferTimeout) {
        this(g1, g1Layout, tierOptions, transferTimeout, OptionalInt.empty(), defaultSharedDir(), "");
    }

    public WorkerSpec(LayoutConfig g1, LayoutType g1Layout) {
        this(g1, g1Layout, Map.of(), Duration.ofSeconds(60));
    }

    /** The same worker in replicated mode as {@code rank}. */
    public WorkerSpec replicated(int rank, Path dir) {
        return new WorkerSpec(g1, g1Layout, tierOptions, transferTimeout, OptionalInt.of(rank), dir, group);
    }

    /** The same worker with the shared region's group name set. */
    public WorkerSpec withGroup(String name) {
        return new WorkerSpec(g1, g1Layout, tierOptions, transferTimeout, rank, sharedDir, name);
    }

    /** {@code /dev/shm} where there is one, else the temporary directory. */
    public static Path defaultSharedDir() {
        Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
    }

    /** Whether this is a replicated rank other than 0 (it reads rank 0's G2/G3 and never writes them). */
    public boolean replicatedFollower() {
        return rank.isPresent() && rank.getAsInt() != 0;
    }
}
