package dev.kvbm.tier.cuda.internal;

import java.util.Map;
import java.util.TreeMap;

/**
 * Host address ranges registered with the driver, so the engine knows which host storage a kernel may read or
 * write directly (registered with {@code DEVICEMAP}); adjacent chunks of one region together cover it.
 */
final class RegisteredRanges {
    private final TreeMap<Long, Long> ranges = new TreeMap<>(Long::compareUnsigned);

    synchronized void add(long start, long bytes) {
        ranges.put(start, start + bytes);
    }

    /** Forgets the range starting at {@code start}; false when none does. */
    synchronized boolean remove(long start) {
        return ranges.remove(start) != null;
    }

    synchronized int size() {
        return ranges.size();
    }

    /** True when every byte of {@code [start, start + bytes)} lies in registered ranges. */
    synchronized boolean covers(long start, long bytes) {
        long pos = start;
        long end = start + bytes;
        while (Long.compareUnsigned(pos, end) < 0) {
            Map.Entry<Long, Long> e = ranges.floorEntry(pos);
            if (e == null || Long.compareUnsigned(e.getValue(), pos) <= 0) {
                return false;
            }
            pos = e.getValue();
        }
        return true;
    }
}
