package dev.kvbm.api.spi;

import dev.kvbm.api.KvbmException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Where the leader publishes requests and collects replies, how many workers take part, and
 * transport-specific options (key files, bind policy).
 */
public record TransportConfig(String publishEndpoint, String ackEndpoint, int worldSize, Duration initTimeout,
                              Map<String, String> options) {
    public TransportConfig {
        Objects.requireNonNull(publishEndpoint, "publishEndpoint");
        Objects.requireNonNull(ackEndpoint, "ackEndpoint");
        if (publishEndpoint.equals(ackEndpoint)) {
            throw KvbmException.invalid("ackEndpoint", ackEndpoint, "different from publishEndpoint");
        }
        if (worldSize < 1) {
            throw KvbmException.invalid("worldSize", worldSize, ">= 1");
        }
        if (initTimeout == null || initTimeout.isNegative() || initTimeout.isZero()) {
            throw KvbmException.invalid("initTimeout", initTimeout, "a positive duration");
        }
        options = Map.copyOf(options == null ? Map.of() : options);
    }
}
