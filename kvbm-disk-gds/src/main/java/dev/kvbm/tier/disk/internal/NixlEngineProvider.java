package dev.kvbm.tier.disk.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.ProbedProvider;
import dev.kvbm.api.spi.StorageKind;
import dev.kvbm.api.spi.TransferEngine;
import dev.kvbm.api.spi.TransferEngineProvider;
import dev.kvbm.tier.disk.DiskTierOptions;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * {@code nixl}: host <-> disk through NIXL's C API (POSIX or GDS_MT backend), bound with FFM from the
 * library named by {@code -Dkvbm.disk.nixl.library} or {@code KVBM_NIXL_LIBRARY}. Preferred over
 * {@code posix} when available; unavailable, with the reason, when no library is configured or it
 * cannot be bound.
 */
public final class NixlEngineProvider extends ProbedProvider implements TransferEngineProvider {
    public static final String NAME = dev.kvbm.api.spi.ProviderNames.NIXL;
    static final int PREFERENCE = 20;

    private volatile NixlCapi capi; // set by the probe when the library binds

    private record Probe(NixlCapi capi, String failure) {
    }

    public NixlEngineProvider() {
        super(NAME, "host <-> disk through NIXL (nixl_capi_* over FFM; POSIX or GDS_MT backend)");
    }

    /** Binds the configured library once per instance; ProbedProvider keeps the failure. */
    @Override
    protected Optional<String> probe() {
        Probe p = load();
        capi = p.capi();
        return Optional.ofNullable(p.failure());
    }

    private static Probe load() {
        String path = System.getProperty(DiskTierOptions.NIXL_LIBRARY);
        if (path == null || path.isBlank()) {
            path = System.getenv(DiskTierOptions.NIXL_LIBRARY_ENV);
        }
        if (path == null || path.isBlank()) {
            return new Probe(null, "no NIXL library configured: set -D" + DiskTierOptions.NIXL_LIBRARY
                    + "=/path/to/libnixl_capi.so or " + DiskTierOptions.NIXL_LIBRARY_ENV
                    + " (NIXL is not installed with kvbm)");
        }
        try {
            return new Probe(NixlCapi.load(java.nio.file.Path.of(path)), null);
        } catch (dev.kvbm.api.KvbmException | java.nio.file.InvalidPathException e) {
            return new Probe(null, e.getMessage());
        }
    }

    @Override
    public int preference(StorageKind source, StorageKind target) {
        boolean write = source.hostAddressable() && target == StorageKind.DISK;
        boolean read = source == StorageKind.DISK && target.hostAddressable();
        return write || read ? PREFERENCE : UNSUPPORTED;
    }

    @Override
    public TransferEngine create(Map<String, String> options) {
        requireAvailable("create an engine");
        Map<String, String> o = options == null ? Map.of() : options;
        String backend = Options.string(o, DiskTierOptions.NIXL_BACKEND).orElse("POSIX");
        if (!backend.equals("POSIX") && !backend.equals("GDS_MT")) {
            throw KvbmException.invalid(DiskTierOptions.NIXL_BACKEND, backend, "POSIX or GDS_MT");
        }
        return create(capi, backend);
    }

    static TransferEngine create(NixlCapi capi, String backend) {
        try {
            return new NixlTransferEngine(capi, backend, Duration.ofSeconds(60));
        } catch (NixlCapi.NixlException e) {
            throw new KvbmException(ErrorCode.NATIVE_FAILURE, "NIXL from " + capi.library + ": " + e.getMessage(), e);
        }
    }
}
