package dev.kvbm.core.engine;

import dev.kvbm.core.replay.ReplayReport;

/**
 * What a replay through a real engine measured, beside the block figures of {@link ReplayReport} (whose
 * {@code blocks} and {@code hits} count kvbm pages here, and whose manager times are kvbm's own work per
 * request: onboarding, loading into the engine and saving, without the engine's compute).
 *
 * @param engine              the engine and its version
 * @param blocks              the block figures
 * @param ttftP50Ms           median time to first token with kvbm (onboard + load + prefill of the rest)
 * @param ttftP99Ms           99th percentile of the same
 * @param baselineRequests    requests also computed from scratch in the same run
 * @param recomputeP50Ms      median time to first token of those full recomputes
 * @param recomputeP99Ms      99th percentile of the same
 * @param ttftSpeedup         total recompute time / total time with kvbm, over the baseline requests
 * @param verified            requests whose logits after reuse were compared with a full recompute
 * @param logitMismatches     of those, how many differ in any bit
 * @param kvbmMicrosPerBlock  kvbm's own work (onboard + load + save) per reused or saved block
 * @param recomputeMicrosPerBlock a full recompute's time per block of tokens
 */
public record EngineReplayReport(String engine, ReplayReport blocks, double ttftP50Ms, double ttftP99Ms,
                                 long baselineRequests, double recomputeP50Ms, double recomputeP99Ms,
                                 double ttftSpeedup, long verified, long logitMismatches, double kvbmMicrosPerBlock,
                                 double recomputeMicrosPerBlock) {
}
