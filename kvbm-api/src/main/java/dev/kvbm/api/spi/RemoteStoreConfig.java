package dev.kvbm.api.spi;

import dev.kvbm.api.KvbmException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * What a remote store is opened with.
 *
 * @param uri        where the store is ({@code redis://HOST:PORT}, {@code rediss://...},
 *                   {@code redis-cluster://H1:P1,H2:P2}, {@code s3://BUCKET?endpoint=URL}); never credentials
 * @param namespace  which blocks are compatible (prefix, fingerprint, rank) and their size
 * @param timeout    the longest one operation may take before it fails with {@code TIMEOUT}
 * @param options    provider-specific options (connection counts), as strings
 */
public record RemoteStoreConfig(URI uri, BlockNamespace namespace, Duration timeout, Map<String, String> options) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

    public RemoteStoreConfig {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(namespace, "namespace");
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw KvbmException.invalid("timeout", timeout, "a positive duration");
        }
        options = Map.copyOf(options == null ? Map.of() : options);
    }

    public RemoteStoreConfig(URI uri, BlockNamespace namespace) {
        this(uri, namespace, DEFAULT_TIMEOUT, Map.of());
    }

    /** An integer option in {@code [min, max]}; the error names the key and the range. */
    public int intOption(String key, int fallback, int min, int max) {
        String text = options.get(key);
        if (text == null) {
            return fallback;
        }
        try {
            int v = Integer.parseInt(text.trim());
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw KvbmException.invalid(key, "'" + text + "'", "an integer in " + min + ".." + max);
    }
}
