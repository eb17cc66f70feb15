package dev.kvbm.core.providers;

import java.util.Optional;

/**
 * What the registry knows of one provider, available or not.
 *
 * @param category  {@code tier}, {@code engine} or {@code transport}
 * @param name      the provider's name
 * @param serves    what it serves: tiers and storage kind, or transfer paths
 * @param module    the module it came from
 * @param available whether it can be used now
 * @param cause     why not, when not (unavailable, or excluded by configuration)
 */
public record ProviderStatus(String category, String name, String serves, String module, String description,
                             boolean available, Optional<String> cause) {
}
