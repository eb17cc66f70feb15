package dev.kvbm.tier.host;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Where a device module installs its {@link HostMemoryRegistrar} (no ServiceLoader: the module that
 * owns the device context decides when registration starts). Regions allocated before installation
 * are not registered retroactively.
 */
public final class HostMemoryRegistrars {
    private static final AtomicReference<HostMemoryRegistrar> CURRENT = new AtomicReference<>();

    private HostMemoryRegistrars() {
    }

    /** Installs {@code registrar}, replacing any previous one; returns the previous one. */
    public static Optional<HostMemoryRegistrar> install(HostMemoryRegistrar registrar) {
        return Optional.ofNullable(CURRENT.getAndSet(Objects.requireNonNull(registrar, "registrar")));
    }

    /** Removes the installed registrar (regions it registered are still unregistered through it on close). */
    public static Optional<HostMemoryRegistrar> uninstall() {
        return Optional.ofNullable(CURRENT.getAndSet(null));
    }

    /** The installed registrar, if any. */
    public static Optional<HostMemoryRegistrar> current() {
        return Optional.ofNullable(CURRENT.get());
    }
}
