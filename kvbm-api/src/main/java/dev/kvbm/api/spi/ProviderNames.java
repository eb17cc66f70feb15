package dev.kvbm.api.spi;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The names of the providers kvbm ships, the one place callers (the CLI, benchmarks, embedders) take them from,
 * and the artifact and module that supply each, for "not found" messages.
 *
 * <p><b>Naming convention for new providers:</b> lower-case ASCII letters and digits, words joined by single
 * hyphens ({@code host-pinned}, {@code host-system}); a tier and the transfer engine of the same technology may
 * share a name ({@code cuda}). Two kinds of existing names are kept as they are and stay valid: names that are
 * the technology's own spelling ({@link #IO_URING}, the kernel's name) and inference-engine names that are the
 * upstream project's ({@link #LLAMA_CPP}). {@link #followsConvention} checks a name.
 */
public final class ProviderNames {
    private ProviderNames() {
    }

    // --- tiers ---
    /** Page-locked host memory (G2, and G1 without a GPU). */
    public static final String HOST_PINNED = "host-pinned";
    /** Pageable host memory. */
    public static final String HOST_SYSTEM = "host-system";
    /** G3 cache files. */
    public static final String DISK = "disk";
    /** Device memory through the CUDA driver API; also the CUDA transfer engine and host-memory registrar. */
    public static final String CUDA = "cuda";

    // --- transfer engines ---
    /** Host-to-host copies. */
    public static final String MEMCPY = "memcpy";
    /** Host <-> disk positional I/O. */
    public static final String POSIX = "posix";
    /** Host <-> disk through io_uring (the kernel's spelling, kept). */
    public static final String IO_URING = "io_uring";
    /** Host <-> disk through NIXL. */
    public static final String NIXL = "nixl";
    /** Device <-> disk through GPUDirect Storage. */
    public static final String CUFILE = "cufile";

    // --- transports ---
    /** Leader and workers over ZeroMQ. */
    public static final String ZMQ = "zmq";

    // --- inference-engine connectors ---
    /** llama.cpp (the project's spelling, kept). */
    public static final String LLAMA_CPP = "llama.cpp";
    /** Jlama. */
    public static final String JLAMA = "jlama";
    /** G4 on a Redis-protocol server or Redis Cluster (Lettuce). */
    public static final String REDIS = "redis";
    /** G4 on the S3 API (AWS SDK v2). */
    public static final String S3 = "s3";

    private static final Pattern CONVENTION = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");

    private static final String HOST = "kvbm-host-pinned (module dev.kvbm.tier.host)";
    private static final String DISK_MODULE = "kvbm-disk-gds (module dev.kvbm.tier.disk)";
    private static final Map<String, String> SUPPLIED_BY = Map.ofEntries(
            Map.entry(HOST_PINNED, HOST), Map.entry(HOST_SYSTEM, HOST), Map.entry(MEMCPY, HOST),
            Map.entry(DISK, DISK_MODULE), Map.entry(POSIX, DISK_MODULE), Map.entry(IO_URING, DISK_MODULE),
            Map.entry(NIXL, DISK_MODULE), Map.entry(CUFILE, DISK_MODULE),
            Map.entry(CUDA, "kvbm-device-cuda (module dev.kvbm.tier.cuda)"),
            Map.entry(ZMQ, "kvbm-transport-zmq (module dev.kvbm.transport.zmq)"),
            Map.entry(LLAMA_CPP, "kvbm-engine-llamacpp (module dev.kvbm.engine.llamacpp)"),
            Map.entry(JLAMA, "kvbm-engine-jlama (on the class path: Jlama's jars cannot be modules)"),
            Map.entry(REDIS, "kvbm-remote-redis (module dev.kvbm.tier.redis)"),
            Map.entry(S3, "kvbm-remote-s3 (module dev.kvbm.tier.s3)"));

    /** The artifact (and module) that supplies the provider {@code name}, when kvbm ships it. */
    public static Optional<String> suppliedBy(String name) {
        return Optional.ofNullable(SUPPLIED_BY.get(name));
    }

    /** Whether {@code name} follows the convention for new provider names (see the class comment). */
    public static boolean followsConvention(String name) {
        return name != null && CONVENTION.matcher(name).matches();
    }
}
