package dev.kvbm.core.replay;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An independent, deliberately naive model of the replay's cache semantics, written from the rules
 * rather than from the pool's code: per tier an LRU list of ids (first = least recent); eviction takes
 * the least recent id that is not in use by the current request and has no child cached in that tier.
 */
final class ReferenceCache {

    static final class Tier {
        final int capacity;
        final LinkedHashMap<Long, Long> recency = new LinkedHashMap<>(); // id -> parent (or -1)
        final Map<Long, Integer> children = new HashMap<>();

        Tier(int capacity) {
            this.capacity = capacity;
        }

        boolean has(long id) {
            return recency.containsKey(id);
        }

        int prefix(long[] ids, int from) {
            int k = 0;
            while (from + k < ids.length && has(ids[from + k])) {
                k++;
            }
            return k;
        }

        void touch(long id) {
            Long parent = recency.remove(id);
            recency.put(id, parent);
        }

        /** Makes room for one id; false when nothing can be evicted. */
        boolean makeRoom(Set<Long> inUse) {
            if (recency.size() < capacity) {
                return true;
            }
            Iterator<Map.Entry<Long, Long>> it = recency.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<Long, Long> e = it.next();
                if (!inUse.contains(e.getKey()) && children.getOrDefault(e.getKey(), 0) == 0) {
                    it.remove();
                    if (e.getValue() >= 0) {
                        children.merge(e.getValue(), -1, Integer::sum);
                    }
                    return true;
                }
            }
            return false;
        }

        void insert(long id, long parent) {
            recency.put(id, parent);
            if (parent >= 0) {
                children.merge(parent, 1, Integer::sum);
            }
        }
    }

    final Tier g1;
    final Tier g2; // null when absent
    long hitsG1;
    long hitsG2;

    ReferenceCache(int g1Blocks, int g2Blocks) {
        this.g1 = new Tier(g1Blocks);
        this.g2 = g2Blocks > 0 ? new Tier(g2Blocks) : null;
    }

    void request(long[] ids) {
        Set<Long> inUse = new HashSet<>();
        int k1 = g1.prefix(ids, 0);
        for (int i = 0; i < k1; i++) {
            inUse.add(ids[i]);
        }
        hitsG1 += k1;
        List<Long> newInG1 = new java.util.ArrayList<>();
        int pos = k1;
        if (g2 != null) {
            int k2 = g2.prefix(ids, k1);
            hitsG2 += k2;
            for (int i = k1; i < k1 + k2; i++) { // onboard into G1
                if (!g1.makeRoom(inUse)) {
                    throw new IllegalStateException("G1 full");
                }
                g1.insert(ids[i], i == 0 ? -1 : ids[i - 1]);
                inUse.add(ids[i]);
                newInG1.add(ids[i]);
            }
            for (int i = k1; i < k1 + k2; i++) {
                g2.touch(ids[i]); // the G2 hits are used
            }
            pos = k1 + k2;
        }
        for (int i = pos; i < ids.length; i++) {
            if (g1.has(ids[i])) {
                inUse.add(ids[i]);
            }
        }
        for (int i = pos; i < ids.length; i++) {
            if (!g1.has(ids[i])) {
                if (!g1.makeRoom(inUse)) {
                    throw new IllegalStateException("G1 full");
                }
                g1.insert(ids[i], i == 0 ? -1 : ids[i - 1]);
                inUse.add(ids[i]);
                newInG1.add(ids[i]);
            }
        }
        for (long id : ids) { // release in id order
            g1.touch(id);
        }
        if (g2 != null) { // write-through of every block newly registered in G1, in registration order
            // A block about to receive a child in G2 is not evicted to make room for its children.
            Set<Long> awaitingChildren = new HashSet<>();
            for (long id : newInG1) {
                Long parent = g1.recency.get(id);
                if (parent >= 0 && !g2.has(id)) {
                    awaitingChildren.add(parent);
                }
            }
            for (long id : newInG1) {
                if (!g2.has(id) && g2.makeRoom(awaitingChildren)) {
                    g2.insert(id, g1.recency.get(id));
                }
            }
        }
    }
}
