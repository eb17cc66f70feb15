package dev.kvbm.engine.llamacpp.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The sequence state blob of the pinned llama.cpp ({@code llama_state_seq_get_data} with no flags, a plain
 * KV cache, one stream), parsed and validated, and built back from kvbm blocks. Little-endian:
 *
 * <pre>
 * u32 magic 0xaf143cd8, i32 seq id, u32 n_stream (1), u32 cell count,
 * per cell: i32 pos, u32 n_seq_id (1), i32 seq id                        (12 bytes)
 * u32 v_trans (0: flash attention keeps V token-major), u32 n_layer,
 * per layer: i32 K type, u64 K row bytes, cells x row bytes of K rows,
 * per layer: i32 V type, u64 V row bytes, cells x row bytes of V rows
 * </pre>
 *
 * Anything else (another version, a transposed V, SWA or recurrent caches, a foreign model) is refused with the
 * field, what was expected and what was found.
 */
final class SequenceState {
    static final int MAGIC = 0xaf143cd8;
    static final int CELL_BYTES = 12;
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final long HEADER_BYTES = 16;
    private static final long LAYER_HEADER_BYTES = 12;

    /** The KV shape every blob of a model must have: per layer one K and one V row of {@code rowBytes} per token. */
    record Shape(int layers, int ggmlType, long rowBytes) {
        /** Bytes of a blob holding {@code cells} tokens. */
        long blobBytes(int cells) {
            return HEADER_BYTES + (long) cells * CELL_BYTES + 8 + 2L * layers * (LAYER_HEADER_BYTES + cells * rowBytes);
        }
    }

    private final MemorySegment blob;
    private final Shape shape;
    private final int cells;
    private final int[] cellOfPosition;
    private final boolean inOrder;
    private final long[] rowsStart; // [layer * 2 + outer] -> offset of the first row

    private SequenceState(MemorySegment blob, Shape shape, int cells, int[] cellOfPosition, boolean inOrder,
                          long[] rowsStart) {
        this.blob = blob;
        this.shape = shape;
        this.cells = cells;
        this.cellOfPosition = cellOfPosition;
        this.inOrder = inOrder;
        this.rowsStart = rowsStart;
    }

    /** Tokens held (positions 0 .. cells-1). */
    int cells() {
        return cells;
    }

    /** The {@code tokens} rows of K ({@code outer} 0) or V (1) of {@code layer}, from position {@code firstPos}, into {@code dst}. */
    void copyRows(int layer, int outer, int firstPos, int tokens, MemorySegment dst) {
        long row = shape.rowBytes();
        long start = rowsStart[layer * 2 + outer];
        if (inOrder) {
            MemorySegment.copy(blob, start + firstPos * row, dst, 0, tokens * row);
            return;
        }
        for (int i = 0; i < tokens; i++) {
            MemorySegment.copy(blob, start + cellOfPosition[firstPos + i] * row, dst, i * row, row);
        }
    }

    /** Reads the shape of a valid blob (layer count, K type, row bytes), for a model's geometry. */
    static Shape discover(MemorySegment blob, int seqId) {
        Reader r = new Reader(blob);
        int cells = readHeader(r, seqId);
        if (cells == 0) {
            throw refuse("cell count", "at least 1 cell to learn the KV shape from", "0");
        }
        r.skip("cells", (long) cells * CELL_BYTES);
        expect("v_trans", 0, r.u32("v_trans"), " (flash attention must be enabled so V stays token-major)");
        int layers = r.u32("n_layer");
        if (layers < 1) {
            throw refuse("n_layer", ">= 1", Integer.toUnsignedString(layers));
        }
        int type = r.i32("layer 0 K type");
        long rowBytes = r.i64("layer 0 K row bytes");
        if (rowBytes < 1 || rowBytes > Integer.MAX_VALUE) {
            throw refuse("layer 0 K row bytes", "in 1.." + Integer.MAX_VALUE, Long.toString(rowBytes));
        }
        Shape shape = new Shape(layers, type, rowBytes);
        parse(blob, seqId, shape); // every other layer and V must agree with layer 0's K
        return shape;
    }

    /** Parses and validates {@code blob} against {@code shape}; fails naming the first field that differs. */
    static SequenceState parse(MemorySegment blob, int seqId, Shape shape) {
        Reader r = new Reader(blob);
        int cells = readHeader(r, seqId);
        int[] cellOfPosition = new int[cells];
        java.util.Arrays.fill(cellOfPosition, -1);
        boolean inOrder = true;
        for (int c = 0; c < cells; c++) {
            int pos = r.i32("cell " + c + " pos");
            expect("cell " + c + " n_seq_id", 1, r.u32("cell " + c + " n_seq_id"), "");
            expect("cell " + c + " seq id", seqId, r.i32("cell " + c + " seq id"), "");
            if (pos < 0 || pos >= cells || cellOfPosition[pos] != -1) {
                throw refuse("cell " + c + " pos", "a position in 0.." + (cells - 1) + " held by no other cell",
                        Integer.toString(pos));
            }
            cellOfPosition[pos] = c;
            inOrder &= pos == c;
        }
        expect("v_trans", 0, r.u32("v_trans"), " (flash attention must be enabled so V stays token-major)");
        expect("n_layer", shape.layers(), r.u32("n_layer"), "");
        long[] rowsStart = new long[shape.layers() * 2];
        for (int outer = 0; outer < 2; outer++) {
            String component = outer == 0 ? "K" : "V";
            for (int layer = 0; layer < shape.layers(); layer++) {
                String field = "layer " + layer + " " + component;
                int type = r.i32(field + " type");
                if (type != shape.ggmlType()) {
                    throw refuse(field + " type", KvType.describe(shape.ggmlType()), KvType.describe(type));
                }
                long rowBytes = r.i64(field + " row bytes");
                if (rowBytes != shape.rowBytes()) {
                    throw refuse(field + " row bytes", Long.toString(shape.rowBytes()), Long.toString(rowBytes));
                }
                rowsStart[layer * 2 + outer] = r.offset;
                r.skip(field + " rows", cells * rowBytes);
            }
        }
        if (r.offset != blob.byteSize()) {
            throw refuse("blob size", r.offset + " bytes", blob.byteSize() + " bytes (another cache type or version)");
        }
        return new SequenceState(blob, shape, cells, cellOfPosition, inOrder, rowsStart);
    }

    private static int readHeader(Reader r, int seqId) {
        int magic = r.i32("magic");
        if (magic != MAGIC) {
            throw refuse("magic", hex(MAGIC), hex(magic) + " (not a llama.cpp sequence state of this version)");
        }
        expect("seq id", seqId, r.i32("seq id"), "");
        expect("n_stream", 1, r.u32("n_stream"), "");
        int cells = r.u32("cell count");
        if (cells < 0) {
            throw refuse("cell count", "in 0.." + Integer.MAX_VALUE, Integer.toUnsignedString(cells));
        }
        return cells;
    }

    /** A source of rows for {@link #write}: copies {@code tokens} rows of a layer's component into {@code dst}. */
    interface RowSource {
        void copy(int layer, int outer, int firstPos, int tokens, MemorySegment dst);
    }

    /**
     * Writes the blob of {@code cells} tokens at positions 0..cells-1 of sequence {@code seqId} into {@code out}
     * ({@link Shape#blobBytes} bytes), its rows taken in runs of {@code run} tokens from {@code rows}.
     */
    static void write(MemorySegment out, int seqId, Shape shape, int cells, int run, RowSource rows) {
        long expected = shape.blobBytes(cells);
        if (out.byteSize() != expected) {
            throw new KvbmException(ErrorCode.INVALID_ARGUMENT, "state blob buffer must be " + expected
                    + " bytes for " + cells + " cells (got " + out.byteSize() + ")");
        }
        long o = 0;
        out.set(I32, o, MAGIC);
        out.set(I32, o + 4, seqId);
        out.set(I32, o + 8, 1);
        out.set(I32, o + 12, cells);
        o += HEADER_BYTES;
        for (int c = 0; c < cells; c++, o += CELL_BYTES) {
            out.set(I32, o, c);
            out.set(I32, o + 4, 1);
            out.set(I32, o + 8, seqId);
        }
        out.set(I32, o, 0);
        out.set(I32, o + 4, shape.layers());
        o += 8;
        long row = shape.rowBytes();
        for (int outer = 0; outer < 2; outer++) {
            for (int layer = 0; layer < shape.layers(); layer++) {
                out.set(I32, o, shape.ggmlType());
                out.set(I64, o + 4, row);
                o += LAYER_HEADER_BYTES;
                for (int first = 0; first < cells; first += run) {
                    int tokens = Math.min(run, cells - first);
                    rows.copy(layer, outer, first, tokens, out.asSlice(o, tokens * row));
                    o += tokens * row;
                }
            }
        }
    }

    private static void expect(String field, int expected, int got, String why) {
        if (expected != got) {
            throw refuse(field, Integer.toString(expected) + why, Integer.toUnsignedString(got));
        }
    }

    static KvbmException refuse(String field, String expected, String got) {
        return KvbmException.forField(ErrorCode.PROTOCOL_ERROR, "state." + field, "llama.cpp sequence state refused: "
                + field + " expected " + expected + ", got " + got);
    }

    private static String hex(int v) {
        return "0x" + Integer.toHexString(v);
    }

    /** Bounds-checked little-endian reads that name the field a short blob ends in. */
    private static final class Reader {
        private final MemorySegment blob;
        long offset;

        Reader(MemorySegment blob) {
            this.blob = blob;
        }

        private void need(String field, long bytes) {
            if (bytes < 0 || offset + bytes > blob.byteSize()) {
                throw refuse(field, bytes + " bytes at offset " + offset, "a blob of " + blob.byteSize()
                        + " bytes (truncated)");
            }
        }

        int i32(String field) {
            need(field, 4);
            int v = blob.get(I32, offset);
            offset += 4;
            return v;
        }

        int u32(String field) {
            return i32(field);
        }

        long i64(String field) {
            need(field, 8);
            long v = blob.get(I64, offset);
            offset += 8;
            return v;
        }

        void skip(String field, long bytes) {
            need(field, bytes);
            offset += bytes;
        }
    }
}
