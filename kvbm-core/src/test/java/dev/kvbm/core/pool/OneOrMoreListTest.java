package dev.kvbm.core.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OneOrMoreListTest {

    @Test
    void holdsOneElementAndRefusesOtherIndexes() {
        List<String> list = new OneOrMoreList<>("a");
        assertEquals(1, list.size());
        assertEquals("a", list.getFirst());
        assertEquals(List.of("a"), list);
        assertEquals(List.of("a").hashCode(), list.hashCode());
        assertThrows(IndexOutOfBoundsException.class, () -> list.get(1));
        assertThrows(IndexOutOfBoundsException.class, () -> list.get(-1));
        assertThrows(IndexOutOfBoundsException.class, () -> list.set(1, "b"));
        assertEquals("a", list.set(0, "b"));
        assertEquals(List.of("b"), list);
    }

    @Test
    void randomChangesAgreeWithAnArrayList() {
        Random random = new Random(11);
        for (int round = 0; round < 200; round++) {
            List<Integer> list = new OneOrMoreList<>(-1);
            List<Integer> model = new ArrayList<>(List.of(-1));
            for (int op = 0; op < 50; op++) {
                switch (random.nextInt(5)) {
                    case 0 -> {
                        list.add(op);
                        model.add(op);
                    }
                    case 1 -> {
                        int at = random.nextInt(model.size() + 1);
                        list.add(at, op);
                        model.add(at, op);
                    }
                    case 2 -> {
                        if (!model.isEmpty()) {
                            int at = random.nextInt(model.size());
                            assertEquals(model.remove(at), list.remove(at));
                        }
                    }
                    case 3 -> {
                        if (!model.isEmpty()) {
                            int at = random.nextInt(model.size());
                            assertEquals(model.set(at, -op), list.set(at, -op));
                        }
                    }
                    default -> {
                        list.addAll(List.of(op, op + 1));
                        model.addAll(List.of(op, op + 1));
                    }
                }
                assertEquals(model, list);
                assertEquals(model.size(), list.size());
            }
            list.clear();
            assertEquals(0, list.size());
        }
    }

    @Test
    void anIteratorFailsFastWhenTheListChangesUnderIt() {
        List<String> list = new OneOrMoreList<>("a");
        Iterator<String> it = list.iterator();
        list.add("b");
        assertThrows(ConcurrentModificationException.class, it::next);
    }
}
