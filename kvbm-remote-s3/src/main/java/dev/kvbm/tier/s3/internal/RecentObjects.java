package dev.kvbm.tier.s3.internal;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * The objects this instance wrote or read, least recently used first, so that it can delete beyond
 * {@code DYN_KVBM_OBJECT_NUM_BLOCKS} (S3 evicts nothing on its own).
 */
final class RecentObjects {
    private final long limit;
    private final LinkedHashMap<String, Boolean> keys = new LinkedHashMap<>(16, 0.75f, true);

    RecentObjects(long limit) {
        this.limit = limit;
    }

    /** Notes a use of {@code key}; returns the keys that fell beyond the limit (to delete). */
    synchronized List<String> touch(String key) {
        keys.put(key, Boolean.TRUE);
        List<String> over = new ArrayList<>();
        Iterator<String> eldest = keys.keySet().iterator();
        while (keys.size() - over.size() > limit && eldest.hasNext()) {
            over.add(eldest.next());
        }
        over.forEach(keys::remove);
        return over;
    }

    synchronized void forget(String key) {
        keys.remove(key);
    }

    synchronized int size() {
        return keys.size();
    }
}
