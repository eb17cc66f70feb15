package dev.kvbm.core.pool;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * A mutable list made with one element, held inline: one object where an {@link ArrayList} of one is two (the
 * list and its array), for the pool's one-block results (an offload lane's single block, a benchmark's). It
 * moves its elements to an {@link ArrayList} the first time its size changes.
 */
final class OneOrMoreList<E> extends AbstractList<E> implements RandomAccess {
    private E only;
    /** Every element once the size changed; null before. */
    private ArrayList<E> all;

    OneOrMoreList(E only) {
        this.only = only;
    }

    @Override
    public E get(int index) {
        if (all != null) {
            return all.get(index);
        }
        Objects.checkIndex(index, 1);
        return only;
    }

    @Override
    public int size() {
        return all != null ? all.size() : 1;
    }

    @Override
    public E set(int index, E element) {
        if (all != null) {
            return all.set(index, element);
        }
        Objects.checkIndex(index, 1);
        E old = only;
        only = element;
        return old;
    }

    @Override
    public void add(int index, E element) {
        grown().add(index, element);
        modCount++;
    }

    @Override
    public E remove(int index) {
        E removed = grown().remove(index);
        modCount++;
        return removed;
    }

    private ArrayList<E> grown() {
        if (all == null) {
            all = new ArrayList<>(4);
            all.add(only);
            only = null;
        }
        return all;
    }
}
