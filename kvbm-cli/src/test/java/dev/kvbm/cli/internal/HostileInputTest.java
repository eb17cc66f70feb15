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

    static String[] with(String[] geometry, String... more) {
        String[] all = new String[1 + geometry.length + more.length];
        all[0] = "worker";
        System.arraycopy(geometry, 0, all, 1, geometry.length);
        System.arraycopy(more, 0, all, 1 + geometry.length, more.length);
        return all;
    }
}
