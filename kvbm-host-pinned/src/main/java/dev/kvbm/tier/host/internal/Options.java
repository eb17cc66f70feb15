package dev.kvbm.tier.host.internal;

import dev.kvbm.api.KvbmException;
import java.util.Map;

/** Reads a host-tier option from the tier config, else from the system property of the same name. */
final class Options {
    private Options() {
    }

    static long longOption(Map<String, String> options, String key, long fallback, long min, long max) {
        String text = options.containsKey(key) ? options.get(key) : System.getProperty(key);
        if (text == null) {
            return fallback;
        }
        long value;
        try {
            value = Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw KvbmException.invalid(key, "'" + text + "'", "an integer in " + min + ".." + max);
        }
        if (value < min || value > max) {
            throw KvbmException.invalid(key, value, "in " + min + ".." + max);
        }
        return value;
    }

    static boolean booleanOption(Map<String, String> options, String key, boolean fallback) {
        String text = options.containsKey(key) ? options.get(key) : System.getProperty(key);
        if (text == null) {
            return fallback;
        }
        return switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw KvbmException.invalid(key, "'" + text + "'", "true or false");
        };
    }

    static String bytes(long n) {
        if (n == Long.MAX_VALUE) {
            return "unlimited";
        }
        if (n >= (1L << 30) && n % (1L << 20) == 0) {
            return n + " bytes (" + String.format(java.util.Locale.ROOT, "%.1f GiB", n / (double) (1L << 30)) + ")";
        }
        if (n >= (1L << 20) && n % 1024 == 0) {
            return n + " bytes (" + String.format(java.util.Locale.ROOT, "%.1f MiB", n / (double) (1L << 20)) + ")";
        }
        return n + " bytes";
    }
}
