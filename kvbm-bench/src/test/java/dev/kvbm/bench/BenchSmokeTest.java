package dev.kvbm.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * The CI smoke pass: every benchmark class runs once, in a forked JVM, for one short iteration, and the
 * runner writes its files and compares against a baseline. Timings are not judged.
 */
class BenchSmokeTest {

    @Test
    void everyBenchmarkRunsAndEveryOutputIsWritten() throws Exception {
        Path out = Path.of("target", "bench-smoke");
        Path baseline = out.resolve("baseline.json");
        BenchOptions o = new BenchOptions(BenchOptions.Mode.SMOKE, null, out, Optional.empty(), Optional.of(baseline),
                BenchOptions.DEFAULT_THRESHOLD);
        BenchOutcome first = BenchRunner.run(o, new PrintStream(new ByteArrayOutputStream()));
        Set<String> ids = first.metrics().stream().map(Metric::id).collect(Collectors.toSet());
        String disk = BenchRunner.availableDiskEngines().getFirst();
        Set<String> expected = new java.util.TreeSet<>(Set.of("host-copy/fc-fc/64KiB/x1", "disk/" + disk
                + "/write/256KiB/x16", "zmq/transfer_blocks/16x2", "zmq/ping/2", "zmq/transfer_blocks/16x2/p99",
                "zmq/reqrep/p99", "zmq/ping/2/raw-broadcast",
                "pool/allocateRegisterRelease/1000", "pool/allocateRegisterReleaseX16/1000", "pool/matchPrefix/1000",
                "hash/sequence/32", "planning/fc-fc/x1"));
        if (dev.kvbm.bench.internal.Fio.find().isPresent()) {
            expected.add("disk-fio/" + disk + "/write/256KiB/x16"); // the engine against fio QD4, same fork
        }
        assertEquals(expected, new java.util.TreeSet<>(ids));
        for (Metric m : first.metrics()) {
            assertTrue(m.value() > 0 && m.reference() > 0 && m.speed() > 0, m.toString());
        }
        assertTrue(Files.size(first.jmhJson()) > 0);
        String summary = Files.readString(first.summary());
        assertTrue(summary.contains("| host-copy/fc-fc/64KiB/x1 |"), summary);
        assertEquals(3, first.charts().size());
        for (Path chart : first.charts()) {
            BufferedImage img = ImageIO.read(chart.toFile());
            assertEquals(960, img.getWidth());
        }
        assertTrue(Files.exists(baseline));
        assertEquals(expected.size(), Baseline.read(baseline).entries().size());
    }
}
