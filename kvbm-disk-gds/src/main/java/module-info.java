import dev.kvbm.tier.disk.internal.CuFileEngineProvider;
import dev.kvbm.tier.disk.internal.DiskTierProvider;
import dev.kvbm.tier.disk.internal.IoUringEngineProvider;
import dev.kvbm.tier.disk.internal.NixlEngineProvider;
import dev.kvbm.tier.disk.internal.PosixEngineProvider;

/**
 * The G3 disk tier of kvbm: {@code disk} (cache files in {@code DYN_KVBM_DISK_CACHE_DIR}, mode 0600,
 * O_DIRECT unless {@code DYN_KVBM_DISK_DISABLE_O_DIRECT}, preallocated with {@code fallocate} through FFM,
 * zero-filled where refused when {@code DYN_KVBM_DISK_ZEROFILL_FALLBACK}, unlinked on close, stale files of
 * ended processes removed at start) and its transfer engines: {@code posix} (host <-> disk positional I/O,
 * pure Java), {@code io_uring} (raw io_uring syscalls over FFM, probed; posix where refused), {@code nixl} (NIXL's C API over FFM, from {@code -Dkvbm.disk.nixl.library}) and {@code cufile}
 * (device <-> disk through GPUDirect Storage, when libcufile and a GPU are present).
 *
 * <p>JVM flags: {@code --enable-native-access=dev.kvbm.tier.disk} (NIXL, cuFile) and
 * {@code --enable-native-access=dev.kvbm.nativeio.libc} (open, fallocate, ftruncate, close, the io_uring syscalls).
 * Options: see {@link dev.kvbm.tier.disk.DiskTierOptions}.
 */
module dev.kvbm.tier.disk {
    requires transitive dev.kvbm.api;
    requires dev.kvbm.nativeio.libc;
    requires jdk.unsupported; // com.sun.nio.file.ExtendedOpenOption.DIRECT

    exports dev.kvbm.tier.disk;

    provides dev.kvbm.api.spi.TierProvider with DiskTierProvider;
    provides dev.kvbm.api.spi.TransferEngineProvider with PosixEngineProvider, IoUringEngineProvider,
            NixlEngineProvider, CuFileEngineProvider;
}
