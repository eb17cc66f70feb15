package dev.kvbm.bench.internal;

import dev.kvbm.bench.Metric;
import dev.kvbm.tier.cuda.CudaCopyProbe;
import dev.kvbm.tier.cuda.CudaProbe;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Measurements that JMH cannot host, taken in the same run as the JMH suite: CUDA host&lt;-&gt;device copies
 * through the {@code cuda} engine next to a plain pinned {@code cuMemcpyAsync} (only where a GPU is usable),
 * reporting why they were skipped. (fio, the disk reference, runs inside the disk benchmark's fork: {@link Fio}.)
 */
public final class ExternalReferences {

    /** A skipped measurement and why. */
    public record Skipped(String what, String why) {
    }

    private ExternalReferences() {
    }

    /** CUDA H2D/D2H metrics, or empty with the reason recorded in {@code skipped}. */
    public static List<Metric> cuda(int iterations, List<Skipped> skipped) {
        if (!CudaProbe.isAvailable()) {
            skipped.add(new Skipped("cuda G1<->G2 copies", CudaProbe.unavailabilityCause().orElse("CUDA unavailable")));
            return List.of();
        }
        List<Metric> out = new ArrayList<>();
        for (CudaCopyProbe.Result r : CudaCopyProbe.standard(0, iterations)) {
            String id = String.format(Locale.ROOT, "cuda/%s/%s/%dKiB/x%d", r.direction(), r.deviceLayout().shortName(),
                    r.blockBytes() >> 10, r.blocks());
            out.add(Metric.of(id, "cuda", r.blockBytes() >> 10, r.direction() + " " + r.deviceLayout().shortName(),
                    r.engineGBps(), Double.NaN, "GB/s", r.referenceGBps(), Double.NaN, true));
        }
        return out;
    }
}
