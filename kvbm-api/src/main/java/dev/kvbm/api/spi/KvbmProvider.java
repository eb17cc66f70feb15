package dev.kvbm.api.spi;

import java.util.Optional;

/**
 * What every provider found through {@link java.util.ServiceLoader} says about itself. A provider that
 * needs a native library or hardware probes it once (typically in a static initialiser), keeps the
 * failure, and answers from that: the core assembles only providers that can run and reports why the
 * others were skipped.
 */
public interface KvbmProvider {

    /** A stable, lower-case name users select the provider by (for example {@code host-pinned}). */
    String name();

    /** One line for listings: what it serves and how. */
    String description();

    /** Whether the provider can run on this machine. Must be cheap after the first call. */
    boolean isAvailable();

    /** Why {@link #isAvailable()} is false, precise enough to act on; empty when available. */
    Optional<String> unavailabilityCause();
}
