package dev.kvbm.bench.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kvbm.bench.Metric;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The G4 Redis measurement: both directions next to redis-benchmark, its own server stopped, a skip naming why. */
class RedisG4MeasurementTest {
    private static final String PATH = System.getenv().getOrDefault("PATH", "");

    private static boolean installed(String program) {
        for (String dir : PATH.split(":")) {
            if (!dir.isBlank() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    @Test
    void measuresBothDirectionsNextToRedisBenchmarkOfTheSameShape() {
        assumeTrue(installed("redis-server") && installed("redis-benchmark"),
                "redis-server or redis-benchmark is not installed (apt-get install redis-server redis-tools)");
        List<ExternalReferences.Skipped> skipped = new ArrayList<>();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        List<Metric> metrics = RedisG4Measurement.measure(new RedisG4Measurement.Settings(List.of(256), 16L << 20, 4, 2,
                2), PATH, new PrintStream(log, true, StandardCharsets.UTF_8), skipped);
        assertEquals(List.of(), skipped);
        assertEquals(List.of("g4-redis/put/256KiB/P4xC2", "g4-redis/get/256KiB/P4xC2"),
                metrics.stream().map(Metric::id).toList());
        for (Metric m : metrics) {
            assertTrue(m.value() > 0 && m.reference() > 0, m.toString());
            assertEquals(m.value() / m.reference(), m.speed(), 1e-9);
            assertTrue(Double.isFinite(m.error()), "two repetitions give an interval: " + m);
        }
        String text = log.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("rep 1: G2->G4") && text.contains("rep 2: G2->G4") && !text.contains("rep 3"), text);
        assertTrue(text.contains("redis-benchmark GET"), text);
    }

    @Test
    void withoutRedisTheMeasurementIsSkippedNamingWhy() {
        List<ExternalReferences.Skipped> skipped = new ArrayList<>();
        List<Metric> metrics = RedisG4Measurement.measure(RedisG4Measurement.Settings.of(dev.kvbm.bench.BenchOptions.Mode
                .QUICK), "/nonexistent-dir", new PrintStream(new ByteArrayOutputStream()), skipped);
        assertEquals(List.of(), metrics);
        assertEquals(1, skipped.size());
        assertTrue(skipped.getFirst().why().contains("redis-server is not installed"), skipped.toString());
    }

    @Test
    void itsServerIsKilledAndItsDirectoryRemoved() throws Exception {
        assumeTrue(installed("redis-server"), "redis-server is not installed (apt-get install redis-server)");
        Path binary = null;
        for (String dir : PATH.split(":")) {
            if (!dir.isBlank() && Files.isExecutable(Path.of(dir, "redis-server"))) {
                binary = Path.of(dir, "redis-server");
                break;
            }
        }
        LoopbackRedis redis = LoopbackRedis.start(binary);
        assertTrue(redis.alive());
        assertEquals("+PONG", redis.command("PING"));
        redis.close();
        assertFalse(redis.alive());
        assertTrue(redis.dirDeleted());
        assertEquals("", redis.command("PING"), "nothing answers on its port any more");
    }

    @Test
    void theIntervalIsStudentsAtNinetyFivePercent() {
        assertEquals(2.0, RedisG4Measurement.mean(new double[] {1, 2, 3}), 1e-12);
        assertEquals(4.303 / Math.sqrt(3), RedisG4Measurement.halfWidth(new double[] {1, 2, 3}), 1e-9);
        assertTrue(Double.isNaN(RedisG4Measurement.halfWidth(new double[] {1})));
    }
}
