package dev.kvbm.api.spi;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The part of a {@link KvbmProvider} every provider would otherwise copy: a checked stable name, a
 * description, and availability probed once and kept with its cause. Subclasses override {@link #probe()}
 * (the first call of {@link #isAvailable()} or {@link #unavailabilityCause()} runs it; later calls answer
 * from the kept result) and call {@link #requireAvailable(String)} before doing native work.
 *
 * <p>A probe that throws counts as unavailable with the exception as cause, so a missing library can never
 * escape as an error from a listing.
 */
public abstract class ProbedProvider implements KvbmProvider {
    /** Provider names: lower case, digits, '-', '_' and '.' ({@code host-pinned}, {@code io_uring}, {@code llama.cpp}). */
    public static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9._-]*[a-z0-9])?");

    private final String name;
    private final String description;
    private final Object lock = new Object();
    private volatile Optional<String> cause; // null until probed

    /**
     * @param name        the stable name users select the provider by; must match {@link #NAME}
     * @param description one line for listings
     */
    protected ProbedProvider(String name, String description) {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw KvbmException.invalid("name", "'" + name + "'", "lower case letters, digits, '.', '_' and '-', "
                    + "starting and ending with a letter or digit");
        }
        this.name = name;
        this.description = Objects.requireNonNull(description, "description");
    }

    /**
     * Probes the native library, device or service the provider needs, once per instance: empty when the
     * provider can run here, otherwise why not, precise enough to act on. Providers that need nothing keep
     * the default (always available).
     */
    protected Optional<String> probe() {
        return Optional.empty();
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public final boolean isAvailable() {
        return unavailabilityCause().isEmpty();
    }

    @Override
    public final Optional<String> unavailabilityCause() {
        Optional<String> c = cause;
        if (c == null) {
            synchronized (lock) {
                c = cause;
                if (c == null) {
                    c = runProbe();
                    cause = c;
                }
            }
        }
        return c;
    }

    private Optional<String> runProbe() {
        try {
            Optional<String> c = probe();
            Objects.requireNonNull(c, "probe() returned null");
            return c.filter(s -> !s.isBlank()).or(() -> c.map(s -> name + " probe failed without a message"));
        } catch (RuntimeException | LinkageError e) {
            return Optional.of(name + " probe failed: " + e);
        }
    }

    /**
     * Fails with {@code PROVIDER_UNAVAILABLE} naming this provider, {@code what} was asked of it, and the
     * probe's cause, when the provider cannot run here.
     */
    protected final void requireAvailable(String what) {
        unavailabilityCause().ifPresent(c -> {
            throw new KvbmException(ErrorCode.PROVIDER_UNAVAILABLE, name + " cannot " + what + ": " + c);
        });
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + name + (isAvailable() ? "" : ", unavailable") + "]";
    }
}
