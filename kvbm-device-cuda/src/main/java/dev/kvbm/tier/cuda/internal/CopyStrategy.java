package dev.kvbm.tier.cuda.internal;

import dev.kvbm.api.KvbmException;
import dev.kvbm.tier.cuda.CudaOptions;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

/** How one transfer is issued, and why. */
enum CopyStrategy {
    /** One {@code cuMemcpyAsync} per (coalesced) whole block: both layouts FullyContiguous. */
    WHOLE_BLOCKS,
    /** One batched-kernel launch over pointer tables (per 65536 regions). */
    KERNEL,
    /** One {@code cuMemcpyAsync} per (coalesced) region. */
    PER_REGION;

    enum Mode { AUTO, OFF, FORCE }

    /** The engine's choice settings; {@link #from} reads them from options, naming the option on bad input. */
    record Settings(Mode mode, long maxRegionBytes, int minRegions) {
        static final Settings DEFAULT = new Settings(Mode.AUTO, CudaOptions.DEFAULT_KERNEL_MAX_REGION_BYTES,
                CudaOptions.DEFAULT_KERNEL_MIN_REGIONS);

        static Settings from(Map<String, String> options) {
            String m = options.getOrDefault(CudaOptions.KERNEL, "auto").trim().toLowerCase(Locale.ROOT);
            Mode mode = switch (m) {
                case "auto" -> Mode.AUTO;
                case "off" -> Mode.OFF;
                case "force" -> Mode.FORCE;
                default -> throw KvbmException.invalid(CudaOptions.KERNEL, "'" + m + "'", "one of auto, off, force");
            };
            return new Settings(mode, longOption(options, CudaOptions.KERNEL_MAX_REGION_BYTES,
                    CudaOptions.DEFAULT_KERNEL_MAX_REGION_BYTES, 1, Long.MAX_VALUE),
                    (int) longOption(options, CudaOptions.KERNEL_MIN_REGIONS, CudaOptions.DEFAULT_KERNEL_MIN_REGIONS, 1,
                            Integer.MAX_VALUE));
        }
    }

    record Decision(CopyStrategy strategy, String reason) {
    }

    /**
     * Whole blocks when both layouts are FullyContiguous; otherwise the kernel when it is loaded, both sides are
     * device-addressable (device memory, or host memory registered with DEVICEMAP) and, in auto mode, the regions
     * are small and many enough for one launch to beat a DMA copy per region; else per-region copies.
     */
    static Decision choose(CopyRegions r, Settings s, boolean kernelLoaded, boolean deviceAddressable) {
        if (r.wholeBlocks) {
            return new Decision(WHOLE_BLOCKS, "both layouts block-contiguous");
        }
        if (s.mode() == Mode.OFF) {
            return new Decision(PER_REGION, CudaOptions.KERNEL + "=off");
        }
        if (!kernelLoaded) {
            return new Decision(PER_REGION, "batched kernel not loaded");
        }
        if (!deviceAddressable) {
            return new Decision(PER_REGION, "host side not registered with the driver (pageable or unregistered)");
        }
        if (s.mode() == Mode.FORCE) {
            return new Decision(KERNEL, CudaOptions.KERNEL + "=force");
        }
        long region = r.uniformBytes();
        if (region > s.maxRegionBytes()) {
            return new Decision(PER_REGION, "regions of " + region + " bytes > " + s.maxRegionBytes());
        }
        if (r.count < s.minRegions()) {
            return new Decision(PER_REGION, r.count + " regions < " + s.minRegions());
        }
        return new Decision(KERNEL, r.count + " regions of " + region + " bytes");
    }

    /** One measurement of both ways at one region size. */
    record Sample(long regionBytes, double kernelGBps, double perRegionGBps) {
    }

    /**
     * The measured threshold: the largest region size up to which the kernel is at least as fast as per-region
     * copies at every measured size (from the smallest up); empty when it never is.
     */
    static OptionalLong crossover(List<Sample> samples) {
        List<Sample> sorted = samples.stream().sorted(java.util.Comparator.comparingLong(Sample::regionBytes)).toList();
        long best = -1;
        for (Sample s : sorted) {
            if (s.kernelGBps() >= s.perRegionGBps()) {
                best = s.regionBytes();
            } else {
                break;
            }
        }
        return best < 0 ? OptionalLong.empty() : OptionalLong.of(best);
    }

    static long longOption(Map<String, String> o, String key, long fallback, long min, long max) {
        String text = o.get(key);
        if (text == null) {
            return fallback;
        }
        long v;
        try {
            v = Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw KvbmException.invalid(key, "'" + text + "'", "an integer in " + min + ".." + max);
        }
        if (v < min || v > max) {
            throw KvbmException.invalid(key, v, "in " + min + ".." + max);
        }
        return v;
    }
}
