package dev.kvbm.core.offload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.KvbmException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class FrequencyFilterTest {
    final AtomicLong now = new AtomicLong();

    @Test
    void aBlockIsAdmittedOnItsSecondSightingAndCountsDouble() {
        FrequencyFilter f = new FrequencyFilter(2, Duration.ofSeconds(600), 1_000_000, now::get);
        assertFalse(f.shouldOffload(7));
        assertEquals(1, f.count(7));
        assertTrue(f.shouldOffload(7));
        assertEquals(2, f.count(7));
        assertTrue(f.shouldOffload(7));
        assertEquals(4, f.count(7));
        assertFalse(f.shouldOffload(8));
    }

    @Test
    void countsDecayByOneEveryIntervalAndVanishAtZero() {
        FrequencyFilter f = new FrequencyFilter(2, Duration.ofSeconds(600), 1_000_000, now::get);
        f.shouldOffload(1); // 1
        f.shouldOffload(2);
        f.shouldOffload(2); // 2
        now.set(Duration.ofSeconds(599).toNanos());
        f.shouldOffload(3);
        assertEquals(3, f.size(), "no decay before the interval");
        now.set(Duration.ofSeconds(600).toNanos());
        assertFalse(f.shouldOffload(4), "the call that triggers the decay still counts its own hash fresh");
        assertEquals(0, f.count(1), "1 -> 0: forgotten");
        assertEquals(1, f.count(2), "2 -> 1");
        assertFalse(f.shouldOffload(1), "forgotten: first sighting again");
        now.set(Duration.ofSeconds(1800).toNanos()); // two more intervals at once
        f.shouldOffload(99);
        assertEquals(0, f.count(2));
        assertEquals(1, f.size());
    }

    @Test
    void oversizeTriggersDecayUntilItFits() {
        FrequencyFilter f = new FrequencyFilter(2, Duration.ofSeconds(600), 3, now::get);
        f.shouldOffload(1);
        f.shouldOffload(1); // 2
        f.shouldOffload(2);
        f.shouldOffload(3);
        f.shouldOffload(4); // 4 entries > 3: one decay drops the 1s, 1 -> 1
        assertEquals(1, f.size());
        assertEquals(1, f.count(1));
    }

    @Test
    void dynamoDefaultsAndBadParameters() {
        assertEquals(2, FrequencyFilter.DEFAULT_MIN_FREQUENCY);
        assertEquals(Duration.ofSeconds(600), FrequencyFilter.DEFAULT_FLUSH_INTERVAL);
        assertEquals(1_000_000, FrequencyFilter.DEFAULT_MAX_ENTRIES);
        KvbmException e = assertThrows(KvbmException.class, () -> new FrequencyFilter(2, Duration.ZERO, 1, now::get));
        assertEquals("flushInterval", e.field().orElseThrow());
        assertEquals("maxEntries", assertThrows(KvbmException.class,
                () -> new FrequencyFilter(2, Duration.ofSeconds(1), 0, now::get)).field().orElseThrow());
    }
}
