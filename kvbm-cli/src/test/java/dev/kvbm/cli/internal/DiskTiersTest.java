package dev.kvbm.cli.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@code kvbm tiers} with the disk module: G3 is served by {@code disk}, and NIXL says why it cannot run. */
class DiskTiersTest {

    @Test
    void tiersListTheDiskTierAndWhyNixlIsUnavailable() {
        CliTest.Result r = CliTest.run("tiers");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("G3 (disk): served by disk"), r.out());
        String nixl = r.out().lines().filter(l -> l.contains(" nixl ")).findFirst().orElseThrow();
        if (System.getProperty("kvbm.disk.nixl.library") == null && System.getenv("KVBM_NIXL_LIBRARY") == null) {
            assertTrue(nixl.contains("no NIXL library configured"), nixl);
        }
        assertTrue(r.out().lines().anyMatch(l -> l.contains(" posix ") && l.contains("PINNED->DISK")), r.out());
    }
}
