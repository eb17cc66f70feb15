import dev.kvbm.tier.host.internal.MemcpyEngineProvider;
import dev.kvbm.tier.host.internal.PinnedHostTierProvider;
import dev.kvbm.tier.host.internal.SystemHostTierProvider;

/**
 * Host tiers of kvbm: {@code host-pinned} (page-locked memory from Chronicle Bytes, first-touched and
 * mlocked in parallel chunks, registrable with a device runtime through
 * a {@link dev.kvbm.api.spi.HostMemoryRegistrar} from its tier configuration), {@code host-system} (pageable memory) and the
 * {@code memcpy} host-to-host transfer engine; plus {@link dev.kvbm.tier.host.LibcMemcpy} and
 * {@link dev.kvbm.tier.host.HostCopyProbe}, the libc reference for copy throughput.
 *
 * <p>JVM flags: {@code --enable-native-access=dev.kvbm.nativeio.libc} (mlock, getrlimit, memcpy: the libc
 * binding of {@code kvbm-native-libc} makes the downcalls), and for
 * Chronicle Core on JDK 25 {@code --add-opens=java.base/java.lang.reflect=chronicle.core},
 * {@code --add-exports=java.base/jdk.internal.ref=chronicle.core},
 * {@code --add-exports=java.base/sun.nio.ch=chronicle.core} and {@code --sun-misc-unsafe-memory-access=allow}. The distribution's {@code jvm/dev.kvbm.tier.host.options} carries them.
 *
 * <p>Options (tier config options, else system properties of the same name), see
 * {@link dev.kvbm.tier.host.HostTierOptions}: {@code kvbm.host.limit.bytes}, {@code kvbm.host.chunk.bytes},
 * {@code kvbm.host.touch.threads}, {@code kvbm.host.mlock}; engine options {@code kvbm.memcpy.threads},
 * {@code kvbm.memcpy.parallel.bytes}, {@code kvbm.memcpy.task.bytes}.
 */
module dev.kvbm.tier.host {
    requires transitive dev.kvbm.api; // the exported API (PinnedMemory, HostCopyProbe) uses its types
    requires dev.kvbm.nativeio.libc;
    requires chronicle.bytes;
    requires chronicle.core;
    // Chronicle's automatic modules use sun.misc.Unsafe but cannot require jdk.unsupported themselves.
    requires jdk.unsupported;
    requires org.slf4j;

    exports dev.kvbm.tier.host;

    provides dev.kvbm.api.spi.TierProvider with PinnedHostTierProvider, SystemHostTierProvider;
    provides dev.kvbm.api.spi.TransferEngineProvider with MemcpyEngineProvider;
}
