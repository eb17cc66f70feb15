package dev.kvbm.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.KvbmException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BaselineTest {

    static Metric copy(String id, double gbps, double error, double reference) {
        return Metric.of(id, "host-copy", 64, "engine", gbps, error, "GB/s", reference, 0, true);
    }

    @Test
    void speedIsRelativeToTheReferenceInBothDirections() {
        Metric throughput = Metric.of("a", "host-copy", 1, "s", 8, 0, "GB/s", 10, 0, true);
        assertEquals(0.8, throughput.speed(), 1e-12);
        Metric cost = Metric.of("b", "pool", 1, "s", 50, 0, "ns/op", 25, 0, false);
        assertEquals(0.5, cost.speed(), 1e-12);
        Metric noisy = Metric.of("c", "host-copy", 1, "s", 10, 1, "GB/s", 10, 1, true);
        assertEquals(Math.sqrt(0.02), noisy.speedError(), 1e-12);
    }

    @Test
    void aSlowerMachineIsNotARegressionButASlowerEngineIs() {
        Baseline base = Baseline.of(List.of(copy("x", 10, 0.1, 12)));
        // Everything 40% slower, reference too: same speed.
        assertTrue(base.compare(List.of(copy("x", 6, 0.06, 7.2)), 0.10).isEmpty());
        // The engine alone 20% slower against the same reference.
        List<Regression> r = base.compare(List.of(copy("x", 8, 0.1, 12)), 0.10);
        assertEquals(1, r.size());
        assertEquals(0.2, r.getFirst().drop(), 1e-9);
        assertTrue(BenchRunner.regressionTable(r).contains("| x | 0.833"), BenchRunner.regressionTable(r));
    }

    @Test
    void aDropWithinTheErrorBarsOrTheThresholdIsNotARegression() {
        Baseline base = Baseline.of(List.of(copy("x", 10, 0.1, 10)));
        assertTrue(base.compare(List.of(copy("x", 9.5, 0.1, 10)), 0.10).isEmpty(), "5% is under the threshold");
        assertTrue(base.compare(List.of(copy("x", 8.5, 2.0, 10)), 0.10).isEmpty(), "15% but the error bars overlap");
        assertTrue(base.compare(List.of(copy("y", 1, 0, 10)), 0.10).isEmpty(), "unknown ids are not compared");
    }

    @Test
    void writesAndReadsBack(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("b.json");
        Baseline.of(List.of(copy("host-copy/fc-fc/64KiB/x16", 10, 0.5, 12),
                Metric.of("pool/matchPrefix/1000", "pool", 1000, "m", 80, 2, "ns/op", 40, 1, false))).write(f);
        Baseline read = Baseline.read(f);
        assertEquals(2, read.entries().size());
        assertEquals(0.5, read.entries().get("pool/matchPrefix/1000").speed(), 1e-6);
        assertEquals("ns/op", read.entries().get("pool/matchPrefix/1000").unit());
        assertEquals(10.0 / 12, read.entries().get("host-copy/fc-fc/64KiB/x16").speed(), 1e-5);
    }

    @Test
    void theCommittedBaselineReadsAndWritesBackToTheSameText(@TempDir Path dir) throws Exception {
        Path committed = Path.of("baseline/quick.json");
        Baseline read = Baseline.read(committed);
        assertEquals(Files.readString(committed).lines().filter(l -> l.contains("\"speed\"")).count(), read.entries().size());
        Path again = dir.resolve("again.json");
        read.write(again);
        assertEquals(Files.readString(committed), Files.readString(again), "one metric a line, 6 significant digits");
    }

    @Test
    void anUnknownErrorIsWrittenAsNullAndReadBackAsNaN(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("one-sample.json");
        Baseline.of(List.of(new Metric("hash/sequence/32", "hash", 32, "s", 2, Double.NaN, "ns/token", 1, Double.NaN,
                0.5, Double.NaN))).write(f);
        assertTrue(Files.readString(f).contains("\"error\":null"), Files.readString(f));
        Baseline.Entry e = Baseline.read(f).entries().get("hash/sequence/32");
        assertEquals(0.5, e.speed(), 1e-12);
        assertEquals(2.0, e.value(), 1e-12);
        assertTrue(Double.isNaN(e.error()), e.toString());
    }

    @Test
    void aFileThatIsNoBaselineIsRefused(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("x.json");
        Files.writeString(f, "{\"benchmark\": []}");
        KvbmException e = assertThrows(KvbmException.class, () -> Baseline.read(f));
        assertTrue(e.getMessage().contains("is not a kvbm baseline"), e.getMessage());
        assertThrows(KvbmException.class, () -> Baseline.read(dir.resolve("missing.json")));
        Path broken = dir.resolve("broken.json");
        Files.writeString(broken, "{\"kvbmBaseline\":1,\"metrics\":{\n  \"x\":{\"speed\":1,}}}");
        KvbmException bad = assertThrows(KvbmException.class, () -> Baseline.read(broken));
        assertTrue(bad.getMessage().contains("is not valid JSON") && bad.getMessage().contains("line 2"), bad.getMessage());
        assertThrows(KvbmException.class, () -> new BenchOptions(BenchOptions.Mode.QUICK, "(", dir, java.util.Optional.empty(),
                java.util.Optional.empty(), 0.1));
        assertThrows(KvbmException.class, () -> new BenchOptions(BenchOptions.Mode.QUICK, null, dir, java.util.Optional.empty(),
                java.util.Optional.empty(), 1.5));
    }
}
