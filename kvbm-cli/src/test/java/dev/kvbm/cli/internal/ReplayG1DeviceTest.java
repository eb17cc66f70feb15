package dev.kvbm.cli.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.core.providers.ProviderRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code kvbm replay --g1-device N}: G1 on the GPU when CUDA is usable, else host G1 and one line saying why. */
class ReplayG1DeviceTest {
    static final boolean CUDA = ProviderRegistry.load().tierProviders().stream()
            .anyMatch(p -> p.name().equals("cuda") && p.isAvailable());

    @Test
    void g1DeviceRunsOnTheGpuOrFallsBackToHostMemory() {
        CliTest.Result r = CliTest.run("replay", "--requests", "20", "--g1-blocks", "128", "--g2-blocks", "200",
                "--block-bytes", "4096", "--g1-device", "0", "--json");
        assertEquals(0, r.code(), r.err());
        Map<String, Object> j = JsonReports.object(r.out());
        Map<?, ?> g1 = (Map<?, ?>) ((Map<?, ?>) j.get("tiers")).get("g1");
        assertEquals(CUDA ? "cuda" : "host-pinned", g1.get("provider"));
        assertEquals(0L, j.get("checksumFailures"));
    }

    @Test
    void theFallbackIsOneLineNamingTheOptionAndTheCause() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(CUDA, ReplayCommand.selectG1(0, dev.kvbm.core.manager.KvBlockManager.builder(),
                new PrintStream(err, true, StandardCharsets.UTF_8)));
        String text = err.toString(StandardCharsets.UTF_8);
        if (CUDA) {
            assertEquals("", text);
        } else {
            assertEquals(1, text.lines().count(), text);
            assertTrue(text.startsWith("kvbm replay: --g1-device 0: G1 stays in host memory: tier provider 'cuda' is "
                    + "unavailable: "), text);
        }
    }

    @Test
    void withoutTheOptionReplayStaysOnHostTiersAndSaysNothing() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(false, ReplayCommand.selectG1(null, dev.kvbm.core.manager.KvBlockManager.builder(),
                new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertEquals("", err.toString(StandardCharsets.UTF_8));
        CliTest.Result r = CliTest.run("replay", "--requests", "10", "--g1-blocks", "64", "--g2-blocks", "0",
                "--block-bytes", "2048");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("G1: 64 blocks on host-pinned"), r.out());
    }

    @Test
    void aBadDeviceNumberNamesTheOption() {
        CliTest.Result r = CliTest.run("replay", "--g1-device", "-1");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--g1-device"), r.err());
    }
}
