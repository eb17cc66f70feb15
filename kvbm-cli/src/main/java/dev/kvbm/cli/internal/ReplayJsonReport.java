package dev.kvbm.cli.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.kvbm.api.Tier;
import dev.kvbm.core.manager.KvBlockManager;
import dev.kvbm.core.manager.TierRuntime;
import dev.kvbm.core.replay.ReplayReport;
import dev.kvbm.api.spi.ReferenceCopy;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Map;

/** {@code kvbm replay --json}: one object on one line; its keys are read by scripts and stay stable. */
final class ReplayJsonReport {
    private ReplayJsonReport() {
    }

    static void print(ReplayReport r, KvBlockManager m, long blockBytes, ReferenceCopy reference,
                                  PrintStream out) {
        print(r, m, blockBytes, reference, g -> { }, out);
    }

    /** As the plain report, with {@code extra}'s keys (an engine replay's) before the end of the object. */
    static void print(ReplayReport r, KvBlockManager m, long blockBytes, ReferenceCopy reference, JsonLine.Body extra,
                      PrintStream out) {
        JsonLine.print(out, g -> {
            g.writeStartObject();
            g.writeNumberField("requests", r.requests());
            g.writeNumberField("blocks", r.blocks());
            g.writeNumberField("blockBytes", blockBytes);
            g.writeObjectFieldStart("hits");
            for (Tier t : Tier.values()) {
                g.writeNumberField(t.name().toLowerCase(), r.hits().getOrDefault(t, 0L));
            }
            g.writeEndObject();
            JsonLine.number(g, "hitRate", r.hitRate());
            JsonLine.number(g, "maxHitRate", r.maxHitRate());
            g.writeObjectFieldStart("tiers");
            for (TierRuntime t : m.tiers().values()) {
                g.writeObjectFieldStart(t.tier().name().toLowerCase());
                g.writeNumberField("blocks", t.pool().totalBlocks());
                g.writeNumberField("registered", t.pool().status().registered());
                g.writeStringField("provider", t.provider());
                JsonLine.number(g, "allocationMillis", t.allocationNanos() / 1e6);
                g.writeEndObject();
            }
            g.writeEndObject();
            longs(g, "bytes", r.pathBytes());
            g.writeObjectFieldStart("gbps");
            for (Map.Entry<String, Double> e : r.pathGbps().entrySet()) {
                JsonLine.number(g, e.getKey(), e.getValue());
            }
            g.writeEndObject();
            longs(g, "transferBlocks", r.pathBlocks());
            JsonLine.number(g, "memcpyReferenceGbps", reference.referenceGBps());
            JsonLine.number(g, "memcpyEngineProbeGbps", reference.engineGBps());
            g.writeNumberField("checksumFailures", r.checksumFailures());
            g.writeNumberField("checksumsVerified", m.checksums().verifiedCount());
            longs(g, "offloadSkips", r.offloadSkips());
            JsonLine.number(g, "managerP50Micros", r.managerP50Micros());
            JsonLine.number(g, "managerP99Micros", r.managerP99Micros());
            JsonLine.number(g, "wallSeconds", r.wallSeconds());
            extra.write(g);
            g.writeEndObject();
        });
    }

    private static void longs(JsonGenerator g, String name, Map<String, Long> values) throws IOException {
        g.writeObjectFieldStart(name);
        for (Map.Entry<String, Long> e : values.entrySet()) {
            g.writeNumberField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
    }
}
