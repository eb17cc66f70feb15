package dev.kvbm.core.offload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.Tier;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TierHealthTest {
    final AtomicLong now = new AtomicLong();
    final TierHealth health = new TierHealth(3, Duration.ofSeconds(30), now::get);

    @Test
    void degradedAfterConsecutiveFailuresOnly() {
        health.failure(Tier.G3);
        health.failure(Tier.G3);
        health.success(Tier.G3); // not consecutive any more
        assertFalse(health.failure(Tier.G3));
        assertFalse(health.failure(Tier.G3));
        assertTrue(health.usable(Tier.G3));
        assertTrue(health.failure(Tier.G3), "third in a row degrades");
        assertFalse(health.usable(Tier.G3));
        assertTrue(health.usable(Tier.G2), "other tiers are unaffected");
        assertEquals(new TierHealth.State(true, 3, 1, 0), health.state(Tier.G3));
    }

    @Test
    void probedAfterTheCoolDownRestoredOnSuccessRedegradedOnFailure() {
        for (int i = 0; i < 3; i++) {
            health.failure(Tier.G3);
        }
        now.set(Duration.ofSeconds(29).toNanos());
        assertFalse(health.usable(Tier.G3));
        now.set(Duration.ofSeconds(30).toNanos());
        assertTrue(health.usable(Tier.G3), "cool-down over: the next transfer probes it");
        assertTrue(health.failure(Tier.G3), "a failed probe degrades it at once");
        assertFalse(health.usable(Tier.G3));
        now.set(Duration.ofSeconds(60).toNanos());
        assertTrue(health.usable(Tier.G3));
        health.success(Tier.G3);
        assertEquals(new TierHealth.State(false, 0, 2, 1), health.state(Tier.G3));
    }
}
