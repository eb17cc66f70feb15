package dev.kvbm.cli.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15's hostile and mistaken inputs, each reproduced: one line naming the option, file and line, exit 2.
 */
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

    static String[] with(String[] geometry, String... more) {
        String[] all = new String[1 + geometry.length + more.length];
        all[0] = "worker";
        System.arraycopy(geometry, 0, all, 1, geometry.length);
        System.arraycopy(more, 0, all, 1 + geometry.length, more.length);
        return all;
    }
}
