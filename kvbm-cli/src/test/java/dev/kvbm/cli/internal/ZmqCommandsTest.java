package dev.kvbm.cli.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Argument checks of {@code kvbm leader} and {@code kvbm worker} (the processes themselves run in ZmqWorkersIT). */
class ZmqCommandsTest {

    @Test
    void badLeaderArgumentsAreUsageErrors() {
        CliTest.Result r = CliTest.run("leader", "--workers", "0");
        assertEquals(Cli.USAGE, r.code());
        assertTrue(r.err().contains("--workers"), r.err());
        r = CliTest.run("leader", "--workers", "1", "--g2-blocks", "4", "--g2-gb", "1");
        assertEquals(Cli.USAGE, r.code());
        assertTrue(r.err().contains("--g2-blocks and --g2-gb exclude each other"), r.err());
        r = CliTest.run("leader", "--workers", "1", "--g3-gb", "lots");
        assertEquals(Cli.USAGE, r.code());
        assertTrue(r.err().contains("--g3-gb must be a number of decimal GB"), r.err());
        r = CliTest.run("leader", "--workers", "1", "--pub", "tcp://0.0.0.0:*", "--ack", "tcp://127.0.0.1:*");
        assertEquals(Cli.USAGE, r.code(), r.err());
        assertTrue(r.err().contains("not a loopback address"), r.err());
    }

    @Test
    void badWorkerArgumentsAreUsageErrors() {
        CliTest.Result r = CliTest.run("worker", "--shared-dir", "/tmp", "--device-blocks", "4", "--layers", "1", "--outer", "1",
                "--page", "1", "--inner", "1");
        assertEquals(Cli.USAGE, r.code());
        assertTrue(r.err().contains("--shared-dir needs --rank"), r.err());
        r = CliTest.run("worker", "--rank", "-1", "--device-blocks", "4", "--layers", "1", "--outer", "1", "--page", "1",
                "--inner", "1");
        assertEquals(Cli.USAGE, r.code());
        assertTrue(r.err().contains("--rank"), r.err());
        r = CliTest.run("worker", "--device-blocks", "4", "--layers", "1", "--outer", "3", "--page", "1", "--inner", "1");
        assertEquals(Cli.USAGE, r.code());
        assertTrue(r.err().contains("--outer"), r.err());
        r = CliTest.run("worker", "--device-blocks", "4", "--layers", "1", "--outer", "1", "--page", "1", "--inner", "1",
                "--layout", "diagonal");
        assertEquals(Cli.USAGE, r.code());
        assertTrue(r.err().contains("--layout"), r.err());
    }
}
