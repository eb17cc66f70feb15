package dev.kvbm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.cli.KvbmLauncherIT.Run;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The packaged distribution with kvbm-device-cuda: {@code tiers} lists the {@code cuda} tier and engine (with the
 * probe's cause where there is no GPU) and nothing breaks or warns; {@code replay --g1-device 0} runs either way.
 */
class CudaLauncherIT {

    /** The availability and cause of the {@code cuda} tier in {@code tiers --json}. */
    static Matcher cudaTier(String json) {
        Matcher m = Pattern.compile("\\{\"category\":\"tier\",\"name\":\"cuda\",[^}]*\"available\":(true|false),"
                + "\"cause\":(null|\"[^\"]*\")\\}").matcher(json.replace(" ", ""));
        assertTrue(m.find(), "no cuda tier in: " + json);
        return m;
    }

    @Test
    void tiersListCudaWithItsCauseAndNoWarnings() throws Exception {
        Run r = KvbmLauncherIT.kvbm(Map.of(), "tiers", "--json");
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.err(), "probing CUDA prints nothing on stderr (no JVM native-access warning)");
        Matcher tier = cudaTier(r.out());
        if (tier.group(1).equals("false")) {
            assertFalse(tier.group(2).equals("null"), "an unavailable cuda tier says why");
            assertTrue(r.out().matches("(?s).*\"G1\"\\s*:\\s*\"host-pinned\".*"), "G1 falls back to the host: " + r.out());
        }
    }

    @Test
    void replayWithG1DeviceRunsWithOrWithoutAGpu() throws Exception {
        boolean cuda = cudaTier(KvbmLauncherIT.kvbm(Map.of(), "tiers", "--json").out()).group(1).equals("true");
        Run r = KvbmLauncherIT.kvbm(Map.of(), "replay", "--requests", "20", "--g1-blocks", "128", "--g2-blocks", "200",
                "--block-bytes", "4096", "--g1-device", "0", "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains(cuda ? "\"provider\":\"cuda\"" : "\"provider\":\"host-pinned\"")
                || r.out().contains(cuda ? "\"provider\": \"cuda\"" : "\"provider\": \"host-pinned\""), r.out());
        if (cuda) {
            assertEquals("", r.err());
        } else {
            assertEquals(1, r.err().lines().count(), r.err());
            assertTrue(r.err().startsWith("kvbm replay: --g1-device 0: G1 stays in host memory: tier provider 'cuda' is "
                    + "unavailable: "), r.err());
        }
    }
}
