package dev.kvbm.tier.cuda;

/**
 * Options of the {@code cuda} tier and engine: tier-config or engine options of these names (the CLI passes
 * them through the manager's options), the kill switch a system property.
 */
public final class CudaOptions {
    /** The name of the tier provider and of the transfer engine. */
    public static final String PROVIDER = dev.kvbm.api.spi.ProviderNames.CUDA;
    /** System property: {@code true} makes CUDA unavailable without touching the driver. */
    public static final String DISABLE = "kvbm.cuda.disable";
    /** Device ordinal of the G1 tier and of the engine (default 0). */
    public static final String DEVICE = "kvbm.cuda.device";
    /** Most device bytes the G1 allocator hands out (default: unbounded, the device refuses first). */
    public static final String LIMIT_BYTES = "kvbm.cuda.limit.bytes";
    /**
     * Engine-owned device memory for G1 instead of {@code cuMemAlloc}: comma-separated {@code pointer:bytes} (pointer
     * in hex with {@code 0x}, or decimal), one per storage region of the layout (1 for FullyContiguous, one per
     * layer for LayerSeparate), handed out in order. kvbm never frees them. {@link DeviceMemory#wrap} is the
     * programmatic form.
     */
    public static final String EXTERNAL_REGIONS = "kvbm.cuda.external.regions";
    /** Largest single {@code cuMemHostRegister} call for pinned G2 memory (default 1 GiB, at least one page). */
    public static final String REGISTER_CHUNK_BYTES = "kvbm.cuda.register.chunk.bytes";
    /** {@code auto} (default), {@code off} (never the batched kernel) or {@code force} (always, where legal). */
    public static final String KERNEL = "kvbm.cuda.kernel";
    /** With {@code auto}: regions larger than this go as per-region async copies (default 256 KiB). */
    public static final String KERNEL_MAX_REGION_BYTES = "kvbm.cuda.kernel.max.region.bytes";
    /** With {@code auto}: transfers with fewer regions than this go as per-region async copies (default 8). */
    public static final String KERNEL_MIN_REGIONS = "kvbm.cuda.kernel.min.regions";

    public static final long DEFAULT_REGISTER_CHUNK_BYTES = 1L << 30;
    /**
     * Not yet measured on a GPU here: Dynamo uses its kernel for every non-contiguous transfer; per-region DMA
     * copies reach full bandwidth only for large regions. {@link CudaCopyProbe#calibrate} measures the crossover
     * on a GPU; set {@link #KERNEL_MAX_REGION_BYTES} from it.
     */
    public static final long DEFAULT_KERNEL_MAX_REGION_BYTES = 256L << 10;
    public static final int DEFAULT_KERNEL_MIN_REGIONS = 8;

    private CudaOptions() {
    }
}
