package dev.kvbm.bench.benchmarks;

import java.util.function.LongSupplier;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * A figure and its reference timed in the same invocations (A B A B, the order swapped every invocation), so a
 * machine that drifts, or another process that takes the cores, moves both alike. Each iteration reports two
 * JMH secondary results, {@code measured} and {@code reference}, in nanoseconds per unit (per byte copied, per
 * operation, per token); {@code dev.kvbm.bench.internal.MetricMapping} turns them into a metric. The
 * benchmark's primary score (both halves together) is not used.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class Interleaved {
    // No public fields but counters: JMH reports every public field and no-argument method of an @AuxCounters state.
    private long measuredNanos;
    private double measuredUnits;
    private long referenceNanos;
    private double referenceUnits;
    private long invocations;

    @Setup(Level.Iteration)
    public void reset() {
        measuredNanos = 0;
        measuredUnits = 0;
        referenceNanos = 0;
        referenceUnits = 0;
    }

    /**
     * Runs both halves, each returning the nanoseconds it took for {@code units} units of work, the figure first in
     * every other invocation (so neither half always runs right after the other).
     */
    void time(LongSupplier measured, LongSupplier reference, double units) {
        if ((invocations++ & 1) == 0) {
            measuredNanos += measured.getAsLong();
            referenceNanos += reference.getAsLong();
        } else {
            referenceNanos += reference.getAsLong();
            measuredNanos += measured.getAsLong();
        }
        measuredUnits += units;
        referenceUnits += units;
    }

    /** Nanoseconds per unit of the figure in this iteration. */
    public double measured() {
        return measuredUnits == 0 ? 0 : measuredNanos / measuredUnits;
    }

    /** Nanoseconds per unit of the reference in this iteration. */
    public double reference() {
        return referenceUnits == 0 ? 0 : referenceNanos / referenceUnits;
    }
}
