package dev.kvbm.tier.cuda.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The batched kernel's table argument: the source addresses of copies {@code [from, to)} as u64 followed by
 * their target addresses, in a direct buffer the driver copies to the device (pageable, so {@code cuMemcpyHtoDAsync}
 * stages it before returning). One launch takes at most {@link #MAX_PER_LAUNCH} copies.
 */
final class PointerTables {
    static final int MAX_PER_LAUNCH = 1 << 16;

    private PointerTables() {
    }

    static ByteBuffer pack(CopyRegions r, int from, int to) {
        if (from < 0 || to > r.count || from > to) {
            throw new IllegalArgumentException("copies " + from + ".." + to + " of " + r.count);
        }
        int n = to - from;
        ByteBuffer b = ByteBuffer.allocateDirect(Math.multiplyExact(n, 16)).order(ByteOrder.nativeOrder());
        for (int i = from; i < to; i++) {
            b.putLong(r.src[i]);
        }
        for (int i = from; i < to; i++) {
            b.putLong(r.dst[i]);
        }
        return b.flip();
    }

    /** Launch boundaries: {@code [0, max, 2 max, ..., count]}. */
    static int[] batches(int count, int maxPerLaunch) {
        if (maxPerLaunch < 1) {
            throw new IllegalArgumentException("maxPerLaunch " + maxPerLaunch);
        }
        int n = count == 0 ? 0 : (count + maxPerLaunch - 1) / maxPerLaunch;
        int[] bounds = new int[n + 1];
        for (int i = 1; i <= n; i++) {
            bounds[i] = Math.min(count, i * maxPerLaunch);
        }
        return bounds;
    }

    /** Grid size as Dynamo's: one thread block per copy, at most 1024 blocks (each then loops). */
    static int grid(int copies) {
        return Math.max(1, Math.min(1024, copies));
    }
}
