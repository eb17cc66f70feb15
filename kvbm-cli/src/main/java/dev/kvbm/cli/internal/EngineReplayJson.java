package dev.kvbm.cli.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.kvbm.core.engine.EngineReplayReport;
import java.io.IOException;
import java.io.PrintStream;

/** The engine figures of {@code kvbm replay --engine}, beside the block figures of the plain replay report. */
final class EngineReplayJson {

    private EngineReplayJson() {
    }

    /** The engine's keys, written into the replay's JSON object. */
    static void write(JsonGenerator g, EngineReplayReport r, int traceBlockTokens, int page) throws IOException {
        g.writeStringField("engine", r.engine());
        g.writeNumberField("traceBlockTokens", traceBlockTokens);
        g.writeNumberField("pageTokens", page);
        g.writeObjectFieldStart("ttftMs");
        JsonLine.number(g, "p50", r.ttftP50Ms());
        JsonLine.number(g, "p99", r.ttftP99Ms());
        g.writeEndObject();
        g.writeNumberField("baselineRequests", r.baselineRequests());
        g.writeObjectFieldStart("recomputeTtftMs");
        JsonLine.number(g, "p50", r.recomputeP50Ms());
        JsonLine.number(g, "p99", r.recomputeP99Ms());
        g.writeEndObject();
        JsonLine.number(g, "ttftSpeedup", r.ttftSpeedup());
        JsonLine.number(g, "kvbmMicrosPerBlock", r.kvbmMicrosPerBlock());
        JsonLine.number(g, "recomputeMicrosPerBlock", r.recomputeMicrosPerBlock());
        g.writeNumberField("verified", r.verified());
        g.writeNumberField("logitMismatches", r.logitMismatches());
    }

    /** The same figures as lines of the text report. */
    static void text(EngineReplayReport r, int page, PrintStream out) {
        out.printf("engine: %s, blocks of %d tokens%n", r.engine(), page);
        out.printf("time to first token with kvbm: p50 %.1f ms, p99 %.1f ms%n", r.ttftP50Ms(), r.ttftP99Ms());
        if (r.baselineRequests() > 0) {
            out.printf("full recompute of %,d of the same requests, same run: p50 %.1f ms, p99 %.1f ms; "
                    + "speed-up %.2fx (total recompute time / total time with kvbm)%n", r.baselineRequests(),
                    r.recomputeP50Ms(), r.recomputeP99Ms(), r.ttftSpeedup());
            out.printf("kvbm's own work per block (onboard + load + save): %.1f us; recomputing a block: %.1f us (%.1f%%)%n",
                    r.kvbmMicrosPerBlock(), r.recomputeMicrosPerBlock(), r.recomputeMicrosPerBlock() == 0 ? 0
                            : 100 * r.kvbmMicrosPerBlock() / r.recomputeMicrosPerBlock());
        }
        out.printf("logits after reuse vs a full recompute: %,d request(s) compared, %,d differ in any bit%n",
                r.verified(), r.logitMismatches());
    }
}
