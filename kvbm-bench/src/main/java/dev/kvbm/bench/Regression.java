package dev.kvbm.bench;

/**
 * A metric that got slower than its baseline beyond the threshold, with both error bars considered.
 *
 * @param drop relative drop of speed, 0.25 = 25% slower relative to the in-run reference
 */
public record Regression(String id, double baselineSpeed, double baselineError, double speed, double error,
                         double drop) {
}
