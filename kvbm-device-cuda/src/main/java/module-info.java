import dev.kvbm.tier.cuda.internal.CudaEngineProvider;
import dev.kvbm.tier.cuda.internal.CudaHostRegistrarProvider;
import dev.kvbm.tier.cuda.internal.CudaTierProvider;

/**
 * The G1 device tier of kvbm through the CUDA driver API (JCuda 12.6): {@code cuda} tier provider (device
 * memory from {@code cuMemAlloc} per device ordinal; engine-owned pointers wrapped with
 * {@link dev.kvbm.tier.cuda.DeviceMemory#wrap}, never freed by kvbm), the {@code cuda} transfer engine
 * (DEVICE&lt;-&gt;PINNED/SYSTEM and DEVICE&lt;-&gt;DEVICE on separate offload/onboard streams: whole-block
 * {@code cuMemcpyAsync} when both layouts are FullyContiguous, otherwise a batched copy kernel over pointer
 * tables or per-region async copies, chosen by a threshold; completion through blocking-sync CUDA events),
 * and a {@link dev.kvbm.api.spi.HostMemoryRegistrarProvider} whose registrar registers pinned G2 chunks with
 * {@code cuMemHostRegister} (the core hands it to the host tiers it builds after a {@code cuda} G1).
 *
 * <p>Probing: {@link dev.kvbm.tier.cuda.CudaProbe} loads JCuda's JNI library (extracted from the natives jar,
 * which JCuda's own loader cannot see on the module path), calls {@code cuInit} and counts devices; any
 * failure makes both providers unavailable with the cause and touches nothing else.
 *
 * <p>JVM flags: {@code --enable-native-access=jcuda} (JCuda's {@code System.load}); the distribution's
 * {@code jvm/kvbm-device-cuda.options} carries it. Options: see {@link dev.kvbm.tier.cuda.CudaOptions}.
 */
module dev.kvbm.tier.cuda {
    requires transitive dev.kvbm.api;
    requires jcuda;

    exports dev.kvbm.tier.cuda;

    provides dev.kvbm.api.spi.TierProvider with CudaTierProvider;
    provides dev.kvbm.api.spi.TransferEngineProvider with CudaEngineProvider;
    provides dev.kvbm.api.spi.HostMemoryRegistrarProvider with CudaHostRegistrarProvider;
}
