package dev.kvbm.core.pool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The pool's primitive map against {@link HashMap} under random puts, adds and removes (collisions, growth, shifts). */
class LongIntMapTest {

    @Test
    void randomOperationsAgreeWithAHashMap() {
        Random random = new Random(42);
        LongIntMap map = new LongIntMap(8); // grows several times
        Map<Long, Integer> model = new HashMap<>();
        for (int op = 0; op < 200_000; op++) {
            // A small key space (with negative keys and 0) makes probe runs, hits and removals frequent.
            long key = random.nextInt(3000) - 1000;
            if (random.nextInt(10) == 0) {
                key = key << 40; // far keys with equal low bits
            }
            switch (random.nextInt(6)) {
                case 4 -> {
                    int v = random.nextInt(1000);
                    Integer old = model.putIfAbsent(key, v);
                    assertEquals(old == null ? LongIntMap.MISSING : old, map.putIfAbsent(key, v));
                }
                case 0 -> {
                    int v = random.nextInt(1000);
                    Integer old = model.put(key, v);
                    assertEquals(old == null ? LongIntMap.MISSING : old, map.put(key, v));
                }
                case 1 -> {
                    Integer old = model.remove(key);
                    assertEquals(old == null ? LongIntMap.MISSING : old, map.remove(key));
                }
                case 2 -> {
                    int delta = random.nextBoolean() ? 1 : -1;
                    int sum = model.getOrDefault(key, 0) + delta;
                    if (sum <= 0) {
                        model.remove(key);
                    } else {
                        model.put(key, sum);
                    }
                    assertEquals(sum, map.add(key, delta));
                }
                case 3 -> {
                    int v = random.nextInt(1000);
                    boolean expected = model.remove(key, v);
                    assertEquals(expected, map.remove(key, v));
                }
                default -> assertEquals(model.getOrDefault(key, LongIntMap.MISSING), map.get(key));
            }
            assertEquals(model.size(), map.size());
        }
        for (Map.Entry<Long, Integer> e : model.entrySet()) {
            assertEquals(e.getValue(), map.get(e.getKey()), "key " + e.getKey());
        }
        Map<Long, Integer> seen = new TreeMap<>();
        map.forEach((k, v) -> assertEquals(null, seen.put(k, v), "key " + k + " seen twice"));
        assertEquals(new TreeMap<>(model), seen);
        assertArrayEquals(model.values().stream().mapToInt(Integer::intValue).sorted().toArray(),
                java.util.Arrays.stream(map.values()).sorted().toArray());
    }

    @Test
    void addRemovesAKeyWhoseCountReachesZeroAndNegativeValuesAreRefused() {
        LongIntMap map = new LongIntMap(4);
        assertEquals(1, map.add(7, 1));
        assertEquals(2, map.add(7, 1));
        assertEquals(1, map.add(7, -1));
        assertTrue(map.containsKey(7));
        assertEquals(0, map.add(7, -1));
        assertFalse(map.containsKey(7), "a count of zero is removed");
        assertEquals(0, map.size());
        assertEquals(-1, map.add(8, -1), "a decrement of an absent key is not stored");
        assertFalse(map.containsKey(8));
        assertThrows(IllegalArgumentException.class, () -> map.put(1, -2));
        map.put(Long.MIN_VALUE, 3);
        map.put(0, 4);
        map.clear();
        assertEquals(0, map.size());
        assertEquals(LongIntMap.MISSING, map.get(0));
    }
}
