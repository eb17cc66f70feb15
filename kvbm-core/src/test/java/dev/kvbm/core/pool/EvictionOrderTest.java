package dev.kvbm.core.pool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The pool's eviction order against the {@link TreeSet} it replaced (priority, then release tick, then id),
 * under random adds with new and old ticks, removals, polls and new priority levels.
 */
class EvictionOrderTest {

    @Test
    void randomOperationsKeepTheOrderOfATreeSet() {
        int n = 500;
        int[] priority = new int[n];
        long[] tick = new long[n];
        EvictionOrder order = new EvictionOrder(priority, tick);
        TreeSet<Integer> model = new TreeSet<>((a, b) -> {
            int c = Integer.compare(priority[a], priority[b]);
            if (c != 0) {
                return c;
            }
            c = Long.compare(tick[a], tick[b]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        Random random = new Random(7);
        long clock = 0;
        for (int op = 0; op < 100_000; op++) {
            int id = random.nextInt(n);
            switch (random.nextInt(4)) {
                case 0, 1 -> {
                    if (!model.contains(id)) {
                        // Mostly released now (tail), sometimes with an old or an equal tick, sometimes a new level.
                        int kind = random.nextInt(10);
                        tick[id] = kind < 6 ? ++clock : kind < 9 ? random.nextLong(clock + 1) : clock;
                        priority[id] = random.nextInt(20) == 0 ? random.nextInt(9) - 4 : 0;
                    }
                    assertEquals(model.add(id), order.add(id));
                }
                case 2 -> assertEquals(model.remove(id), order.remove(id));
                default -> {
                    Integer first = model.pollFirst();
                    assertEquals(first == null ? -1 : first, order.pollFirst());
                }
            }
            assertEquals(model.size(), order.size());
            assertEquals(model.contains(id), order.contains(id));
            if (op % 1000 == 0) {
                assertArrayEquals(model.stream().mapToInt(Integer::intValue).toArray(), order.toArray(), "op " + op);
            }
        }
        assertArrayEquals(model.stream().mapToInt(Integer::intValue).toArray(), order.toArray());
    }

    @Test
    void lowerPriorityGoesFirstThenTheLeastRecentlyReleased() {
        int[] priority = {5, 0, 0, 5, 0};
        long[] tick = {1, 9, 3, 0, 3};
        EvictionOrder order = new EvictionOrder(priority, tick);
        for (int id = 0; id < 5; id++) {
            assertTrue(order.add(id));
        }
        assertFalse(order.add(2), "a member is not added twice");
        assertArrayEquals(new int[] {2, 4, 1, 3, 0}, order.toArray(), "priority 0 by tick (ties by id), then 5");
        assertEquals(2, order.pollFirst());
        assertTrue(order.remove(1));
        assertFalse(order.remove(1));
        assertEquals(4, order.pollFirst());
        assertEquals(3, order.pollFirst());
        assertEquals(0, order.pollFirst());
        assertEquals(-1, order.pollFirst());
        assertEquals(0, order.size());
    }

    @Test
    void priorityAndTickAreReadFromThePoolsRecords() {
        // The pool's layout: 8 ints a block (priority at 2), 4 longs a block (tick at 2); other fields are noise.
        int[] ints = new int[5 << 3];
        long[] longs = new long[5 << 2];
        java.util.Arrays.fill(ints, 77);
        java.util.Arrays.fill(longs, -77);
        int[] priority = {5, 0, 0, 5, 0};
        long[] tick = {1, 9, 3, 0, 3};
        for (int id = 0; id < 5; id++) {
            ints[(id << 3) + 2] = priority[id];
            longs[(id << 2) + 2] = tick[id];
        }
        EvictionOrder order = new EvictionOrder(ints, 2, 3, longs, 2, 2);
        for (int id = 0; id < 5; id++) {
            assertTrue(order.add(id));
        }
        assertArrayEquals(new int[] {2, 4, 1, 3, 0}, order.toArray(), "priority 0 by tick (ties by id), then 5");
        assertEquals(2, order.pollFirst());
        assertEquals(4, order.size());
    }
}
