package dev.kvbm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Issue 15 item 18: {@code kvbm leader --pub tcp://[::1]:P} and a worker on the same IPv6 loopback shake hands. */
class Ipv6EndpointsIT {

    @Test
    void leaderAndWorkerShakeHandsOnIpv6Loopback() throws Exception {
        int pubPort = freePort6();
        int ackPort = freePort6();
        assumeTrue(pubPort > 0 && ackPort > 0, "no IPv6 loopback here (::1 cannot be bound: IPv6 disabled in this "
                + "sandbox or kernel)");
        String pub = "tcp://[::1]:" + pubPort;
        String ack = "tcp://[::1]:" + ackPort;
        Path leaderOut = Files.createTempFile("kvbm-leader6", ".txt");
        Path workerOut = Files.createTempFile("kvbm-worker6", ".txt");
        Process leader = start(leaderOut, "leader", "--workers", "1", "--pub", pub, "--ack", ack, "--g2-blocks", "16",
                "--exit-after-handshake");
        Process worker = start(workerOut, "worker", "--leader-pub", pub, "--leader-ack", ack, "--device-blocks", "8",
                "--layers", "1", "--outer", "2", "--page", "4", "--inner", "8", "--parent-pid",
                Long.toString(ProcessHandle.current().pid()));
        try {
            assertTrue(leader.waitFor(120, TimeUnit.SECONDS), "the leader finished its handshake");
            String out = Files.readString(leaderOut);
            assertEquals(0, leader.exitValue(), out + Files.readString(workerOut));
            // JeroMQ names the bound endpoint in the long form, tcp://[0:0:0:0:0:0:0:1]:P.
            assertTrue(out.matches("(?s).*leader ready: 1 worker\\(s\\) on tcp://\\[[0:]*:1\\]:" + pubPort
                    + " / tcp://\\[[0:]*:1\\]:" + ackPort + ";.*"), out);
            // The worker says it waits for its leader, then that the handshake completed (issue 15, the newcomer's path).
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!Files.readString(workerOut).contains("handshake with the leader done") && System.nanoTime() < end) {
                Thread.sleep(50);
            }
            String said = Files.readString(workerOut);
            assertTrue(said.contains("waiting for the leader on " + pub), said);
            assertTrue(said.contains("worker: handshake with the leader done; G2/G3 allocated (G1, G2), serving "
                    + "transfers"), said);
        } finally {
            leader.destroyForcibly();
            worker.destroyForcibly();
            worker.waitFor(30, TimeUnit.SECONDS);
            Files.deleteIfExists(leaderOut);
            Files.deleteIfExists(workerOut);
        }
    }

    private static Process start(Path out, String... args) throws IOException {
        List<String> command = new java.util.ArrayList<>(List.of(KvbmLauncherIT.ROOT.resolve("kvbm").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(KvbmLauncherIT.ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile());
        pb.environment().put("KVBM_NO_BUILD", "1");
        return pb.start();
    }

    private static int freePort6() {
        try (ServerSocket s = new ServerSocket(0, 1, Inet6Address.getByName("::1"))) {
            return s.getLocalPort();
        } catch (IOException e) {
            return -1;
        }
    }
}
