package dev.kvbm.api.layout;

import dev.kvbm.api.KvbmException;

/**
 * One (block, layer, outer) page of a layout: {@code size} bytes whose first byte lies at {@code offset} in
 * storage region {@code storageIndex}. The offset counts from the aligned start of that region, so a physical
 * address is {@code regionAddress + baseOffset + offset}.
 *
 * <p>The page's bytes, in their logical order {@code [page tokens, heads, head_dim]}, are runs of
 * {@code runBytes} contiguous bytes. A contiguous page is one run ({@code runBytes == size}). A strided page
 * (a page-first layout, where one token's layers lie together) has up to two levels of (count, stride),
 * innermost first, strides measured start-to-start in bytes: run {@code k} starts at
 * {@code offset + (k % innerCount) * innerStride + (k / innerCount) * outerStride}. A level of count 1 is
 * absent (its stride 0).
 *
 * @param storageIndex the storage region holding the page
 * @param offset       first byte of the page in that region
 * @param size         all the page's bytes: {@code runBytes * innerCount * outerCount}
 * @param runBytes     bytes of one contiguous run
 * @param innerCount   runs along the innermost level (1 when absent)
 * @param innerStride  bytes from one run's start to the next along the innermost level
 * @param outerCount   repetitions of the innermost level (1 when absent)
 * @param outerStride  bytes from one repetition's start to the next
 */
public record MemoryRegion(int storageIndex, long offset, long size, long runBytes, int innerCount, long innerStride,
                           int outerCount, long outerStride) {

    public MemoryRegion {
        if (storageIndex < 0 || offset < 0 || runBytes < 1 || innerCount < 1 || outerCount < 1) {
            throw KvbmException.invalid("memoryRegion", "storage " + storageIndex + ", offset " + offset + ", run "
                    + runBytes + " x " + innerCount + " x " + outerCount,
                    "a storage index and offset >= 0 and runs and counts >= 1");
        }
        if (size != runBytes * innerCount * outerCount) {
            throw KvbmException.invalid("size", size, "runBytes x innerCount x outerCount = "
                    + runBytes * innerCount * outerCount);
        }
        if ((innerCount > 1 && innerStride < 1) || (outerCount > 1 && outerStride < 1)) {
            throw KvbmException.invalid("stride", innerCount > 1 && innerStride < 1 ? innerStride : outerStride,
                    "> 0 for a level of count > 1");
        }
        if (innerCount == 1) { // an absent innermost level: the outer one, if any, moves in
            innerCount = outerCount;
            innerStride = outerStride;
            outerCount = 1;
        }
        if (innerCount == 1) {
            innerStride = 0;
        }
        if (outerCount == 1) {
            outerStride = 0;
        }
    }

    /** A contiguous page: one run of {@code size} bytes. */
    public MemoryRegion(int storageIndex, long offset, long size) {
        this(storageIndex, offset, size, size, 1, 0, 1, 0);
    }

    /**
     * A page in canonical form: levels of count 1 dropped, and a level whose runs touch ({@code stride ==} the run
     * so far) folded into the run, so a page that is contiguous after all is one run.
     */
    public static MemoryRegion strided(int storageIndex, long offset, long runBytes, int innerCount, long innerStride,
                                       int outerCount, long outerStride) {
        if (innerCount == 1) {
            innerCount = outerCount;
            innerStride = outerStride;
            outerCount = 1;
            outerStride = 0;
        }
        if (innerCount > 1 && innerStride == runBytes) {
            runBytes *= innerCount;
            innerCount = outerCount;
            innerStride = outerStride;
            outerCount = 1;
            outerStride = 0;
            if (innerCount > 1 && innerStride == runBytes) {
                runBytes *= innerCount;
                innerCount = 1;
                innerStride = 0;
            }
        }
        return new MemoryRegion(storageIndex, offset, runBytes * innerCount * outerCount, runBytes, innerCount,
                innerStride, outerCount, outerStride);
    }

    /** Whether the page is one run. */
    public boolean contiguous() {
        return runBytes == size;
    }

    /** Number of runs: {@code innerCount * outerCount}. */
    public int runs() {
        return innerCount * outerCount;
    }

    /** Levels of (count, stride) present: 0 when contiguous, else 1 or 2. */
    public int levels() {
        return (innerCount > 1 ? 1 : 0) + (outerCount > 1 ? 1 : 0);
    }

    /** Start of run {@code k} (in logical order), {@code 0 <= k < runs()}. */
    public long runOffset(int k) {
        return offset + (long) (k % innerCount) * innerStride + (long) (k / innerCount) * outerStride;
    }

    /** One past the page's last byte (strides are positive, so the last run ends last or overlaps no later). */
    public long end() {
        return offset + (innerCount - 1L) * innerStride + (outerCount - 1L) * outerStride + runBytes;
    }

    /** The same page {@code delta} bytes further into its storage region. */
    public MemoryRegion shifted(long delta) {
        return new MemoryRegion(storageIndex, offset + delta, size, runBytes, innerCount, innerStride, outerCount,
                outerStride);
    }
}
