package dev.kvbm.examples.shm.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.Tier;
import dev.kvbm.api.spi.ProbedProvider;
import dev.kvbm.api.spi.StorageAllocator;
import dev.kvbm.api.spi.StorageKind;
import dev.kvbm.api.spi.TierConfig;
import dev.kvbm.api.spi.TierProvider;
import dev.kvbm.examples.shm.ShmOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code shm}: G2 in memory-mapped files of a tmpfs directory. Available when the directory (by default
 * {@code /dev/shm}) exists, is writable and a file in it can be created, mapped and removed: the probe does
 * exactly that once. Its priority is below the in-tree host tiers, so it serves G2 only when selected by name
 * or when it is the only host tier present.
 */
public final class ShmTierProvider extends ProbedProvider implements TierProvider {

    public ShmTierProvider() {
        super(ShmOptions.PROVIDER, "host memory in memory-mapped files under " + defaultDirectory()
                + " (tmpfs; other processes can map the same files)");
    }

    private static String defaultDirectory() {
        return System.getProperty(ShmOptions.DIRECTORY, ShmOptions.DEFAULT_DIRECTORY);
    }

    @Override
    protected Optional<String> probe() {
        return ShmStorage.probe(Path.of(defaultDirectory()));
    }

    @Override
    public Set<Tier> tiers() {
        return EnumSet.of(Tier.G2);
    }

    @Override
    public StorageKind storageKind() {
        return StorageKind.SYSTEM; // host-addressable: the memcpy engine moves its bytes
    }

    /** Below host-system (0) and host-pinned (10): a plugin that never displaces the in-tree tiers on its own. */
    @Override
    public int priority() {
        return -1;
    }

    @Override
    public StorageAllocator createAllocator(TierConfig config) {
        requireAvailable("create an allocator");
        Map<String, String> options = withSystemProperties(config.options());
        String text = options.getOrDefault(ShmOptions.DIRECTORY, ShmOptions.DEFAULT_DIRECTORY);
        Path dir;
        try {
            dir = Path.of(text).toAbsolutePath();
        } catch (InvalidPathException e) {
            throw KvbmException.invalid(ShmOptions.DIRECTORY, "'" + text + "'", "a directory path");
        }
        ShmStorage.probe(dir).ifPresent(problem -> {
            throw KvbmException.forField(ErrorCode.INVALID_CONFIG, ShmOptions.DIRECTORY, ShmOptions.DIRECTORY + ": " + problem);
        });
        long usable;
        try {
            usable = Math.max(1, Files.getFileStore(dir).getUsableSpace());
        } catch (IOException e) {
            throw new KvbmException(ErrorCode.IO_ERROR, "cannot read the free space of " + dir + ": " + e, e);
        }
        TierConfig resolved = new TierConfig(config.tier(), config.layout(), config.layoutType(), options);
        long limit = resolved.longOption(ShmOptions.LIMIT_BYTES, usable, 1, Long.MAX_VALUE);
        return new ShmAllocator(dir, limit);
    }

    /** The tier's options, with system properties of the same name where the configuration has none. */
    private static Map<String, String> withSystemProperties(Map<String, String> options) {
        Map<String, String> merged = new HashMap<>(options);
        for (String key : new String[] {ShmOptions.DIRECTORY, ShmOptions.LIMIT_BYTES}) {
            String property = System.getProperty(key);
            if (property != null) {
                merged.putIfAbsent(key, property);
            }
        }
        return merged;
    }
}
