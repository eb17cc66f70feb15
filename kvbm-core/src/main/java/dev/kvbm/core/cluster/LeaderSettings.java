package dev.kvbm.core.cluster;

import dev.kvbm.api.KvbmException;
import dev.kvbm.api.config.ConfigKeys;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A leader's timeouts and sizes. {@code pingInterval} is how often a ready leader checks its workers are alive.
 */
public record LeaderSettings(Duration initTimeout, Duration transferTimeout, Duration pingInterval, Sizing sizing) {
    public LeaderSettings {
        for (Duration d : List.of(initTimeout, transferTimeout, pingInterval)) {
            if (d.isNegative() || d.isZero()) {
                throw KvbmException.invalid("timeout", d, "a positive duration");
            }
        }
    }

    /** Init timeout from {@code DYN_KVBM_LEADER_WORKER_INIT_TIMEOUT_SECS} (default 120 s), 30 s per transfer. */
    public static LeaderSettings fromEnvironment(Map<String, String> env) {
        return new LeaderSettings(initTimeout(env), Duration.ofSeconds(30), Duration.ofSeconds(1), Sizing.fromEnvironment(env));
    }

    public static Duration initTimeout(Map<String, String> env) {
        String text = env.get(ConfigKeys.LEADER_WORKER_INIT_TIMEOUT_SECS);
        if (text == null || text.isBlank()) {
            return Duration.ofSeconds(120);
        }
        try {
            long s = Long.parseLong(text.trim());
            if (s >= 1) {
                return Duration.ofSeconds(s);
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw KvbmException.invalid(ConfigKeys.LEADER_WORKER_INIT_TIMEOUT_SECS, text, "a whole number of seconds >= 1");
    }

    public LeaderSettings withSizing(Sizing s) {
        return new LeaderSettings(initTimeout, transferTimeout, pingInterval, s);
    }

    public LeaderSettings withTransferTimeout(Duration d) {
        return new LeaderSettings(initTimeout, d, pingInterval, sizing);
    }

    public LeaderSettings withPingInterval(Duration d) {
        return new LeaderSettings(initTimeout, transferTimeout, d, sizing);
    }
}
