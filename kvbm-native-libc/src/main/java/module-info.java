/**
 * The one binding of kvbm to libc through the FFM API: {@link dev.kvbm.nativeio.libc.LibC} holds every libc
 * {@code downcallHandle} the host tier (mlock, munlock, getrlimit, memcpy) and the disk tier (open, close,
 * fallocate, ftruncate, syscall for io_uring, mmap, munmap) make. Its package is exported only to those two
 * modules: libc is not an API of kvbm.
 *
 * <p>JVM flag: {@code --enable-native-access=dev.kvbm.nativeio.libc} (module path) or
 * {@code --enable-native-access=ALL-UNNAMED} (class path). Without it every function fails with
 * {@code NATIVE_FAILURE} naming the flag, and {@link dev.kvbm.nativeio.libc.LibC#unavailabilityCause()} says so
 * before any call.
 */
module dev.kvbm.nativeio.libc {
    requires dev.kvbm.api; // KvbmException with NATIVE_FAILURE

    exports dev.kvbm.nativeio.libc to dev.kvbm.tier.host, dev.kvbm.tier.disk;
}
