package dev.kvbm.api.config;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * kvbm's one reader of environment variables (the {@code DYN_KVBM_*} keys of {@link ConfigKeys}). One rule for
 * every key: unset or blank is absent; anything else must parse, or it is an {@code INVALID_CONFIG} error whose
 * field and message name the variable, the rule and the value. Booleans are exactly {@code true}, {@code false},
 * {@code 1} or {@code 0}.
 */
public final class EnvironmentVariables {
    private final Map<String, String> env;

    private EnvironmentVariables(Map<String, String> env) {
        this.env = Objects.requireNonNull(env, "env");
    }

    /** The process environment. */
    public static EnvironmentVariables system() {
        return new EnvironmentVariables(System.getenv());
    }

    /** A given environment (tests, or a child process's). */
    public static EnvironmentVariables of(Map<String, String> env) {
        return new EnvironmentVariables(env);
    }

    /** The variable's text, trimmed; empty when unset or blank. */
    public Optional<String> string(String key) {
        String v = env.get(key);
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
    }

    /** An integer in {@code min..max}. */
    public OptionalLong integer(String key, long min, long max) {
        Optional<String> text = string(key);
        if (text.isEmpty()) {
            return OptionalLong.empty();
        }
        long v;
        try {
            v = Long.parseLong(text.get());
        } catch (NumberFormatException e) {
            throw invalid(key, "an integer in " + min + ".." + max);
        }
        if (v < min || v > max) {
            throw invalid(key, "an integer in " + min + ".." + max);
        }
        return OptionalLong.of(v);
    }

    /** A block count: an integer in {@code 0..Integer.MAX_VALUE}. */
    public OptionalInt blockCount(String key) {
        OptionalLong v = integer(key, 0, Integer.MAX_VALUE);
        return v.isPresent() ? OptionalInt.of((int) v.getAsLong()) : OptionalInt.empty();
    }

    /** A TCP port, {@code 1..65535}. */
    public OptionalInt port(String key) {
        OptionalLong v = integer(key, 1, 65535);
        return v.isPresent() ? OptionalInt.of((int) v.getAsLong()) : OptionalInt.empty();
    }

    /** A size in decimal GB: a finite number {@code >= 0}. */
    public OptionalDouble gigabytes(String key) {
        Optional<String> text = string(key);
        if (text.isEmpty()) {
            return OptionalDouble.empty();
        }
        double v;
        try {
            v = Double.parseDouble(text.get());
        } catch (NumberFormatException e) {
            throw invalid(key, "a number of decimal GB >= 0");
        }
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw invalid(key, "a number of decimal GB >= 0");
        }
        return OptionalDouble.of(v);
    }

    /** Exactly {@code true}, {@code false}, {@code 1} or {@code 0}. */
    public Optional<Boolean> bool(String key) {
        Optional<String> text = string(key);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        return switch (text.get()) {
            case "true", "1" -> Optional.of(true);
            case "false", "0" -> Optional.of(false);
            default -> throw invalid(key, "true, false, 1 or 0");
        };
    }

    private KvbmException invalid(String key, String rule) {
        return KvbmException.forField(ErrorCode.INVALID_CONFIG, key, key + " must be " + rule + " (got '" + env.get(key)
                + "')");
    }
}
