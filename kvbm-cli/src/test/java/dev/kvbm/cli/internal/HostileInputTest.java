package dev.kvbm.cli.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15's hostile and mistaken inputs, each reproduced: one line naming the option, file and line, exit 2.
 */
@Tag("fault")
class HostileInputTest {

    static void usage(CliTest.Result r, String expected) {
        assertEquals(Cli.USAGE, r.code(), r.err());
        assertTrue(r.err().contains(expected), r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
    }

    @Test
    void badTracesNameTheFileAndLine(@TempDir Path dir) throws Exception {
        usage(CliTest.run("replay", "--trace", dir.resolve("none.jsonl").toString()), "--trace: no such file: ");
        usage(CliTest.run("replay", "--trace", dir.toString()), "is a directory, not a trace file");
        usage(CliTest.run("replay", "--trace", ""), "--trace must name a trace file");
        Path bad = dir.resolve("bad.jsonl");
        Files.write(bad, new byte[] {'{', (byte) 0xff, (byte) 0xfe, '}', '\n'});
        usage(CliTest.run("replay", "--trace", bad.toString()), bad + ":1: not valid UTF-8");
        usage(CliTest.run("replay", "--engine", "llama.cpp", "--trace", bad.toString()), bad + ":1: not valid UTF-8");
    }

    @Test
    void sizesThatMeanNothingAreRefused() {
        usage(CliTest.run("replay", "--requests", "0"), "--requests");
        usage(CliTest.run("replay", "--g2-gb", "1e-30", "--block-bytes", "65536"), "less than one block of 65536 bytes");
    }

    @Test
    void workerPageSizesFollowDynamosRuleAndAParentThatIsGoneIsAnError() {
        String[] geometry = {"--device-blocks", "4", "--layers", "1", "--outer", "1", "--inner", "1"};
        for (String page : new String[] {"3", "2048"}) {
            CliTest.Result r = CliTest.run(with(geometry, "--page", page));
            assertEquals(Cli.USAGE, r.code(), r.err());
            assertTrue(r.err().contains("--page"), r.err());
        }
        long gone = ProcessHandle.current().pid() + 1_000_000;
        while (ProcessHandle.of(gone).isPresent()) {
            gone++;
        }
        usage(CliTest.run(with(geometry, "--page", "16", "--parent-pid", Long.toString(gone))), "no such process");
    }

    @Test
    void endpointsAreCheckedBeforeAnythingIsBound() {
        usage(CliTest.run("leader", "--workers", "1", "--pub", "tcp://127.0.0.1:abc"),
                "--pub: the port must be a number in 1..65535 (got 'abc')");
        usage(CliTest.run("leader", "--workers", "1", "--pub", "tcp://127.0.0.1:99999"),
                "--pub: the port must be in 1..65535 (got 99999)");
        usage(CliTest.run("leader", "--workers", "1", "--ack", "garbage"), "--ack must be tcp://HOST:PORT (got 'garbage')");
        usage(CliTest.run("worker", "--device-blocks", "4", "--layers", "1", "--outer", "1", "--page", "1", "--inner", "1",
                "--leader-pub", "garbage"), "--leader-pub must be tcp://HOST:PORT (got 'garbage')");
        usage(CliTest.run("leader", "--workers", "1", "--pub", "tcp://not a host:5000"), "'not a host' is not a valid host");
        usage(CliTest.run("replay", "--events", "tcp://127.0.0.1:0"), "--events: the port must be in 1..65535 (got 0)");
        CliTest.Result exposed = CliTest.run("leader", "--workers", "1", "--pub", "tcp://0.0.0.0:*", "--ack",
                "tcp://127.0.0.1:*");
        assertEquals(Cli.USAGE, exposed.code(), exposed.err());
        assertTrue(exposed.err().contains("--allow-non-loopback"), "the refusal names the flag: " + exposed.err());
    }

    @Test
    void valuesPastThe32BitLimitNameTheOptionsRealRange() {
        usage(CliTest.run("replay", "--g1-blocks", "99999999999999"), "kvbm replay: --g1-blocks must be in 1..2147483647 "
                + "(got 99999999999999)");
        usage(CliTest.run("replay", "--g2-blocks", "99999999999999"), "kvbm replay: --g2-blocks must be in 0..2147483647 "
                + "(got 99999999999999)");
        usage(CliTest.run("replay", "--requests", "99999999999999"), "kvbm replay: --requests must be in 1..2147483647 "
                + "(got 99999999999999)");
        usage(CliTest.run("replay", "--block-bytes", "9223372036854775807"), "kvbm replay: --block-bytes must be in "
                + "2..2147483647 (got 9223372036854775807)");
        usage(CliTest.run("replay", "--block-bytes", "99999999999999999999999"), "--block-bytes must be in 2..2147483647 "
                + "(got 99999999999999999999999)");
        usage(CliTest.run("hash", "--tokens", "1", "--block-size", "99999999999999"), "kvbm hash: --block-size must be in "
                + "1..2147483647 (got 99999999999999)");
        usage(CliTest.run("leader", "--workers", "1", "--g2-blocks", "99999999999999"), "--g2-blocks must be in "
                + "0..2147483647 (got 99999999999999)");
        // Ranges declared once on shared options (mixins) hold for every command that has them.
        usage(CliTest.run("replay", "--metrics-port", "70000"), "kvbm replay: --metrics-port must be in 0..65535 (got 70000)");
        usage(CliTest.run("leader", "--workers", "1", "--metrics-port", "-1"), "--metrics-port must be in 0..65535 (got -1)");
        usage(CliTest.run("replay", "--serve-after", "86401"), "kvbm replay: --serve-after must be in 0..86400 (got 86401)");
        usage(CliTest.run("leader", "--workers", "1", "--g3-blocks", "-1"), "--g3-blocks must be in 0..2147483647 (got -1)");
        // The same wording below the range, and inside it for an option whose range is narrow.
        usage(CliTest.run("replay", "--requests", "0"), "kvbm replay: --requests must be in 1..2147483647 (got 0)");
        usage(CliTest.run("replay", "--workers", "65"), "kvbm replay: --workers must be in 0..64 (got 65)");
        usage(CliTest.run("bench", "--threshold", "99999999999"), "kvbm bench: --threshold must be in 1..99 (got 99999999999)");
        usage(CliTest.run("replay", "--seed", "99999999999999999999"), "--seed must be in -9223372036854775808.."
                + "9223372036854775807 (got 99999999999999999999)");
    }

    @Test
    void aCacheDirectoryThatIsAFileIsAUsageErrorAndTheG3SizeErrorNamesTheOptionGiven(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
        for (Path cacheDir : new Path[] {file, file.resolve("below")}) {
            CliTest.Result r = withCacheDir(cacheDir, () -> CliTest.run("replay", "--requests", "2", "--g1-blocks", "64",
                    "--g2-blocks", "64", "--g3-blocks", "64", "--block-bytes", "4096", "--no-progress"));
            usage(r, "DYN_KVBM_DISK_CACHE_DIR must name a directory, but " + file + " is a file");
        }
        long free = Files.getFileStore(dir).getUsableSpace();
        long blocks = Math.min(Integer.MAX_VALUE, free / (1L << 20) * 2 + 2); // twice the free space
        CliTest.Result r = withCacheDir(dir, () -> CliTest.run("replay", "--requests", "2", "--g3-blocks",
                Long.toString(blocks), "--block-bytes", Integer.toString(1 << 20)));
        org.junit.jupiter.api.Assumptions.assumeTrue(blocks < Integer.MAX_VALUE, "this disk is too large to overfill");
        usage(r, "kvbm replay: --g3-blocks: G3 (" + blocks + " blocks");
        assertTrue(!r.err().contains("--g3-gb"), "names the option given, not the other one: " + r.err());
        CliTest.Result gb = withCacheDir(dir, () -> CliTest.run("replay", "--requests", "2", "--g3-gb",
                Double.toString(blocks * (double) (1 << 20) / 1e9), "--block-bytes", Integer.toString(1 << 20)));
        usage(gb, "kvbm replay: --g3-gb: G3 (");
        assertTrue(!gb.err().contains("--g3-blocks"), gb.err());
    }

    @Test
    void unknownProviderNamesAndHostileTokenListsAreRefused() {
        CliTest.Result tiers = CliTest.run("tiers", "--exclude", "nosuch");
        usage(tiers, "kvbm tiers: --exclude: no provider is named 'nosuch' (known: ");
        assertTrue(tiers.err().contains("disk") && tiers.err().contains("memcpy"), tiers.err());
        assertEquals(Cli.OK, CliTest.run("tiers", "--exclude", "disk", "--json").code());
        usage(CliTest.run("hash", "--tokens", "", "--block-size", "2"), "--tokens must list at least one token id");
        usage(CliTest.run("hash", "--tokens", "+1", "--block-size", "2"), "without a sign (token 0 is '+1')");
        usage(CliTest.run("hash", "--tokens", "1,,2", "--block-size", "2"), "--tokens: token 1 is empty");
        usage(CliTest.run("hash", "--tokens", "1,-2", "--block-size", "2"), "without a sign (token 1 is '-2')");
        usage(CliTest.run("hash", "--tokens", "1,99999999999999999999", "--block-size", "2"),
                "--tokens: token 1 must be in 0..4294967295 (got 99999999999999999999)");
        // Spaces around commas carry no meaning (documented in --help): the same hashes as without them.
        CliTest.Result spaced = CliTest.run("hash", "--tokens", "1, 2, 3", "--block-size", "2", "--json");
        assertEquals(Cli.OK, spaced.code(), spaced.err());
        assertEquals(CliTest.run("hash", "--tokens", "1,2,3", "--block-size", "2", "--json").out(), spaced.out());
    }

    /** Runs {@code body} with the disk tier's directory set the way the manager reads it (system property first). */
    static CliTest.Result withCacheDir(Path dir, java.util.function.Supplier<CliTest.Result> body) {
        String key = dev.kvbm.api.config.ConfigKeys.DISK_CACHE_DIR;
        String before = System.getProperty(key);
        System.setProperty(key, dir.toString());
        try {
            return body.get();
        } finally {
            if (before == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, before);
            }
        }
    }

    static String[] with(String[] geometry, String... more) {
        String[] all = new String[1 + geometry.length + more.length];
        all[0] = "worker";
        System.arraycopy(geometry, 0, all, 1, geometry.length);
        System.arraycopy(more, 0, all, 1 + geometry.length, more.length);
        return all;
    }
}
