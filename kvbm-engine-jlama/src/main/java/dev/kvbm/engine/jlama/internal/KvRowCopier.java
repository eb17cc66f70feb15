package dev.kvbm.engine.jlama.internal;

import com.github.tjake.jlama.tensor.AbstractTensor;
import com.github.tjake.jlama.tensor.KvBufferCache;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.KvGeometry;
import dev.kvbm.api.spi.KvPages;
import java.lang.foreign.MemorySegment;

/**
 * Copies KV rows between a Jlama {@code KvBuffer} and kvbm blocks. Jlama keeps, per layer and component,
 * pages of {@code ctxPerPage} contiguous rows of {@code inner} F32 elements (the layout is checked when the
 * model opens), the same token-major order as a kvbm region, so a block moves as one copy per layer and
 * component unless it straddles one of Jlama's pages.
 */
final class KvRowCopier {

    enum Direction { TO_PAGES, FROM_PAGES }

    private KvRowCopier() {
    }

    /**
     * Copies blocks {@code 0..pages.count()} of {@code pages}, holding tokens from {@code firstToken} on,
     * to or from {@code kv}.
     */
    static void copy(KvBufferCache.KvBuffer kv, KvGeometry geometry, KvPages pages, int firstToken, Direction direction) {
        int pageSize = pages.pageSize();
        int lastToken = firstToken + pages.count() * pageSize - 1;
        long rowBytes = (long) geometry.inner() * geometry.dtypeBytes();
        long regionBytes = pageSize * rowBytes;
        for (int layer = 0; layer < geometry.layers(); layer++) {
            for (int outer = 0; outer < 2; outer++) {
                // One context-page view per Jlama page up to the last token (allocating pages a load needs).
                AbstractTensor[] kvPages = outer == 0 ? kv.getKeyTensorsUptoPosition(layer, lastToken)
                        : kv.getValTensorsUptoPosition(layer, lastToken);
                int ctxPerPage = kvPages[0].shape().first();
                for (int block = 0; block < pages.count(); block++) {
                    MemorySegment region = pages.region(block, layer, outer);
                    if (region.byteSize() != regionBytes) {
                        throw KvbmException.invalid("pages", region.byteSize() + " bytes in block " + block + " layer "
                                + layer + " outer " + outer, regionBytes + " bytes per region = page " + pageSize
                                + " x inner " + geometry.inner() + " x " + geometry.dtypeBytes() + " bytes ("
                                + geometry.dtype() + "), the model's KV geometry " + geometry.layers() + "x2x"
                                + geometry.inner());
                    }
                    int token = firstToken + block * pageSize;
                    int done = 0;
                    while (done < pageSize) {
                        int pos = token + done;
                        int inPage = pos % ctxPerPage;
                        int run = Math.min(pageSize - done, ctxPerPage - inPage);
                        MemorySegment rows = kvPages[pos / ctxPerPage].getMemorySegment();
                        if (direction == Direction.TO_PAGES) {
                            MemorySegment.copy(rows, inPage * rowBytes, region, done * rowBytes, run * rowBytes);
                        } else {
                            MemorySegment.copy(region, done * rowBytes, rows, inPage * rowBytes, run * rowBytes);
                        }
                        done += run;
                    }
                }
            }
        }
    }
}
