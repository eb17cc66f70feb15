package dev.kvbm.tier.redis.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.Tier;
import dev.kvbm.core.manager.KvBlockManager;
import dev.kvbm.core.replay.TraceRequest;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two kvbm processes sharing one Redis: a child JVM computes a trace and exits; this process, with
 * empty local tiers, serves every block of the same trace from G4, byte-exact.
 */
class TwoProcessesTest {
    @TempDir
    Path dir;

    /** The child: replays the trace with G4 at {@code args[0]}, then prints how many blocks it wrote. */
    public static void main(String[] args) {
        try (KvBlockManager m = CheckedReplay.manager(args[0], 40, 64, null)) {
            CheckedReplay.run(m, CheckedReplay.trace(Long.parseLong(args[1])));
            System.out.println("written=" + m.remote().orElseThrow().storeStats().puts());
        }
    }

    /** The command of a child JVM running {@code main} on the class path: every jar and directory this JVM has. */
    static List<String> javaCommand(Class<?> main, String... args) throws java.net.URISyntaxException {
        List<String> path = new ArrayList<>();
        path.add(Path.of(main.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        for (String p : List.of("jdk.module.path", "java.class.path")) {
            String v = System.getProperty(p);
            if (v != null && !v.isBlank()) {
                path.add(v);
            }
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-cp", String.join(File.pathSeparator, path), main.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    @Test
    void aSecondProcessServesWhatTheFirstComputed() throws Exception {
        RedisServers.assumeInstalled();
        try (RedisServers.Server server = new RedisServers.Server(RedisServers.freePort(), dir, List.of())) {
            server.start();
            long seed = 51;
            List<TraceRequest> trace = CheckedReplay.trace(seed);
            Process child = new ProcessBuilder(javaCommand(TwoProcessesTest.class, server.uri(), Long.toString(seed)))
                    .redirectErrorStream(true).start();
            String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(child.waitFor(120, TimeUnit.SECONDS), "the child finished");
            assertEquals(0, child.exitValue(), out);
            assertTrue(out.contains("written=" + CheckedReplay.distinctBlocks(trace)), out);

            try (KvBlockManager b = CheckedReplay.manager(server.uri(), 40, 64, null)) {
                Map<Tier, Long> hits = CheckedReplay.run(b, trace); // every served block's bytes are checked
                long blocks = trace.stream().mapToLong(TraceRequest::blocks).sum();
                assertEquals(blocks, hits.values().stream().mapToLong(Long::longValue).sum(), "hits = blocks");
                assertTrue(hits.get(Tier.G4) >= CheckedReplay.distinctBlocks(trace), hits.toString());
                assertEquals(0, b.remote().orElseThrow().storeStats().puts(), "nothing needed computing");
            }
        }
    }
}
