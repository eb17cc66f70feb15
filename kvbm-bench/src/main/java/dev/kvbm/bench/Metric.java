package dev.kvbm.bench;

/**
 * One benchmark figure next to its physical reference measured in the same run.
 *
 * @param id         stable key, e.g. {@code host-copy/fc-fc/256KiB/x16}, used to match a baseline
 * @param group      {@code host-copy}, {@code pool} or {@code hash} (one chart and one table each)
 * @param x          the quantity charted on the x axis (block KiB, pool size, block size)
 * @param series     the curve the figure belongs to (e.g. {@code engine fc-fc x16})
 * @param value      the figure (GB/s, or ns per operation)
 * @param error      its 99.9% confidence half-width
 * @param unit       {@code GB/s} or {@code ns/op}
 * @param reference  the reference's figure, same unit
 * @param referenceError its half-width
 * @param speed      speed relative to the reference (higher is better): value/reference for
 *                   throughputs, reference/value for costs
 * @param speedError the half-width of {@code speed}, propagated from both errors
 */
public record Metric(String id, String group, double x, String series, double value, double error, String unit,
                     double reference, double referenceError, double speed, double speedError) {

    /** Builds a metric, computing speed and its error from a figure and its reference. */
    public static Metric of(String id, String group, double x, String series, double value, double error, String unit,
                            double reference, double referenceError, boolean higherIsBetter) {
        double speed = higherIsBetter ? value / reference : reference / value;
        double rel = Math.sqrt(square(safe(error / value)) + square(safe(referenceError / reference)));
        return new Metric(id, group, x, series, value, error, unit, reference, referenceError, speed, speed * rel);
    }

    private static double square(double v) {
        return v * v;
    }

    private static double safe(double v) {
        return Double.isFinite(v) ? v : 0;
    }
}
