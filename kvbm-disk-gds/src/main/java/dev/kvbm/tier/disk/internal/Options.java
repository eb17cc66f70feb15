package dev.kvbm.tier.disk.internal;

import dev.kvbm.api.KvbmException;
import java.util.Map;
import java.util.Optional;

/** An option from the given map, else the system property, else the environment variable of that name. */
final class Options {
    private Options() {
    }

    static Optional<String> string(Map<String, String> options, String key) {
        String v = options.get(key);
        if (v == null) {
            v = System.getProperty(key);
        }
        if (v == null) {
            v = System.getenv(key);
        }
        return Optional.ofNullable(v);
    }

    /** Dynamo tests these switches for presence only ({@code is_ok()}), whatever the value. */
    static boolean present(Map<String, String> options, String key) {
        return string(options, key).isPresent();
    }

    static long longOption(Map<String, String> options, String key, long fallback, long min, long max) {
        Optional<String> text = string(options, key);
        if (text.isEmpty()) {
            return fallback;
        }
        long value;
        try {
            value = Long.parseLong(text.get().trim());
        } catch (NumberFormatException e) {
            throw KvbmException.invalid(key, "'" + text.get() + "'", "an integer in " + min + ".." + max);
        }
        if (value < min || value > max) {
            throw KvbmException.invalid(key, value, "in " + min + ".." + max);
        }
        return value;
    }
}
