package dev.kvbm.cli.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 15, the newcomer's path: what the report and the logs say, and tier options from the command line. */
class NewcomerOutputTest {
    private static final String DIR = dev.kvbm.api.config.ConfigKeys.DISK_CACHE_DIR;
    private static final String LIMIT = "kvbm.disk.limit.bytes";

    @AfterEach
    void clearTierOptions() {
        System.clearProperty(DIR); // --tier-option sets system properties in this (the test's) JVM
        System.clearProperty(LIMIT);
    }

    @Test
    void theReportNamesG3sDirectoryEachPathsEngineSkipReasonsInWordsAndWhatWallTimeCovers(@TempDir Path dir) {
        CliTest.Result r = CliTest.run("replay", "--requests", "50", "--g1-blocks", "64", "--g2-blocks", "128",
                "--g3-blocks", "256", "--block-bytes", "65536", "--no-progress", "--tier-option", DIR + "=" + dir);
        assertEquals(Cli.OK, r.code(), r.err());
        String out = r.out();
        assertTrue(out.contains("G3: 256 blocks on disk (16.0 MiB, in " + dir.toAbsolutePath() + ", allocated in "), out);
        assertTrue(out.matches("(?s).*G1->G2 .* GB/s  via memcpy\n.*"), out);
        assertTrue(out.matches("(?s).*G2->G3 .* GB/s  via (posix|io_uring)\n.*"), out);
        assertTrue(out.contains("rates in decimal GB/s = 10^9 bytes per second"), out);
        assertTrue(out.contains("held back by the disk admission filter"), out);
        assertFalse(out.contains("alreadyPresent=") || out.contains("{"), "no Java map: " + out);
        assertTrue(out.contains("(the requests only: allocating the tiers, above, is not included)"), out);
    }

    @Test
    void skipReasonsAreWordsAndZerosAreLeftOut() {
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("alreadyPresent", 3L);
        counts.put("targetFull", 0L);
        counts.put("targetBusy", 1_234L);
        assertEquals("3 already in the target tier, 1,234 target lane busy", ReplayTextReport.skips(counts));
        counts.replaceAll((k, v) -> 0L);
        assertEquals("none", ReplayTextReport.skips(counts));
    }

    @Test
    void aTierOptionReachesTheTierAsItsSystemPropertyWouldAndAWrongKeyIsRefused() {
        // The disk tier's byte limit, from the command line: a G3 above it is refused, naming the option.
        CliTest.Result limited = CliTest.run("replay", "--requests", "2", "--g1-blocks", "64", "--g2-blocks", "64",
                "--g3-blocks", "64", "--block-bytes", "65536", "--no-progress", "--tier-option", LIMIT + "=4096");
        assertEquals(Cli.FAILED, limited.code(), limited.out());
        assertTrue(limited.err().contains(LIMIT), limited.err());
        HostileInputTest.usage(CliTest.run("replay", "--tier-option", "disk.threads=4"),
                "--tier-option: 'disk.threads' is not an option key (kvbm.*, zmq.* or DYN_KVBM_*");
        HostileInputTest.usage(CliTest.run("replay", "--tier-option", LIMIT + "="), "--tier-option " + LIMIT
                + " needs a value");
        assertEquals(java.util.List.of("-Dkvbm.a=1", "-Dzmq.b=x y"), TierOptions.jvmFlags(new LinkedHashMap<>(Map.of(
                "kvbm.a", "1")) {{
                    put("zmq.b", "x y");
                }}));
    }

    @Test
    void theHandshakeIsLoggedInWordsNotAsARecord() {
        assertEquals("G1 8 blocks, 512 bytes per block (all workers), G2 16 blocks, G3 0 blocks; handshake 805 ms",
                new dev.kvbm.core.cluster.ClusterReady(8, 512, 16, 0, java.time.Duration.ofMillis(805)).toString());
    }

    @Test
    void logRecordsAreOneLineInKvbmsWords() {
        LogRecord record = new LogRecord(Level.WARNING, "the file system of /x refuses fallocate;\n  it stays sparse");
        record.setLoggerName("dev.kvbm.tier.disk.internal.DiskAllocator");
        record.setThrown(new java.io.IOException("No space left on device"));
        String line = new OneLineLogFormat(false).format(record);
        assertEquals("kvbm: WARNING DiskAllocator: the file system of /x refuses fallocate; | it stays sparse "
                + "(java.io.IOException: No space left on device)" + System.lineSeparator(), line);
        assertTrue(new OneLineLogFormat(true).format(record).contains("\tat "), "--debug adds the stack trace");
        CliTest.run("tiers");
        for (java.util.logging.Handler h : java.util.logging.Logger.getLogger("").getHandlers()) {
            assertTrue(h.getFormatter() instanceof OneLineLogFormat, "the CLI sets the format on " + h);
        }
    }
}
