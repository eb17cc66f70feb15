package dev.kvbm.engine.llamacpp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** The state blob format without the engine: what write() builds parses back, and each broken field is named. */
class SequenceStateTest {
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final SequenceState.Shape SHAPE = new SequenceState.Shape(3, LlamaCpp.GGML_TYPE_F16, 8);
    private static final int CELLS = 10;

    /** Row bytes: layer, component, position and byte index mixed, so every misplaced byte shows. */
    private static byte rowByte(int layer, int outer, int pos, int i) {
        return (byte) (layer * 61 + outer * 29 + pos * 7 + i);
    }

    private static MemorySegment blob(Arena arena) {
        MemorySegment blob = arena.allocate(SHAPE.blobBytes(CELLS));
        SequenceState.write(blob, 0, SHAPE, CELLS, 4, (layer, outer, firstPos, n, dst) -> {
            for (int t = 0; t < n; t++) {
                for (int i = 0; i < SHAPE.rowBytes(); i++) {
                    dst.set(ValueLayout.JAVA_BYTE, t * SHAPE.rowBytes() + i, rowByte(layer, outer, firstPos + t, i));
                }
            }
        });
        return blob;
    }

    @Test
    void whatWriteBuildsParsesBackRowForRow() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment blob = blob(arena);
            assertEquals(SHAPE, SequenceState.discover(blob, 0));
            SequenceState state = SequenceState.parse(blob, 0, SHAPE);
            assertEquals(CELLS, state.cells());
            MemorySegment rows = arena.allocate(3 * SHAPE.rowBytes());
            for (int layer = 0; layer < SHAPE.layers(); layer++) {
                for (int outer = 0; outer < 2; outer++) {
                    state.copyRows(layer, outer, 5, 3, rows);
                    for (int t = 0; t < 3; t++) {
                        for (int i = 0; i < SHAPE.rowBytes(); i++) {
                            assertEquals(rowByte(layer, outer, 5 + t, i),
                                    rows.get(ValueLayout.JAVA_BYTE, t * SHAPE.rowBytes() + i));
                        }
                    }
                }
            }
        }
    }

    @Test
    void cellsOutOfOrderAreReadByPosition() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment blob = blob(arena);
            // Swap the positions of cells 0 and 1: position 0's rows are now cell 1's.
            blob.set(I32, 16, 1);
            blob.set(I32, 16 + 12, 0);
            SequenceState state = SequenceState.parse(blob, 0, SHAPE);
            MemorySegment row = arena.allocate(SHAPE.rowBytes());
            state.copyRows(0, 0, 0, 1, row);
            assertEquals(rowByte(0, 0, 1, 0), row.get(ValueLayout.JAVA_BYTE, 0));
        }
    }

    private static void assertRefused(MemorySegment blob, SequenceState.Shape shape, String message) {
        KvbmException e = assertThrows(KvbmException.class, () -> SequenceState.parse(blob, 0, shape));
        assertEquals(ErrorCode.PROTOCOL_ERROR, e.code());
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void eachBrokenFieldIsNamedWithWhatWasExpected() {
        try (Arena arena = Arena.ofConfined()) {
            long vTrans = 16 + CELLS * 12L;
            long layer0K = vTrans + 8;
            Object[][] cases = {
                    {0L, 0x1234, "magic expected 0xaf143cd8, got 0x1234"},
                    {4L, 3, "seq id expected 0, got 3"},
                    {8L, 2, "n_stream expected 1, got 2"},
                    {16L + 12 * 4, 2, "cell 4 pos expected a position in 0..9 held by no other cell, got 2"},
                    {16L + 4, 2, "cell 0 n_seq_id expected 1, got 2"},
                    {vTrans, 1, "v_trans expected 0 (flash attention must be enabled so V stays token-major), got 1"},
                    {vTrans + 4, 4, "n_layer expected 3, got 4"},
                    {layer0K, LlamaCpp.GGML_TYPE_F32, "layer 0 K type expected 1 (f16), got 0 (f32)"},
                    {layer0K + 4, 16, "layer 0 K row bytes expected 8, got 16"},
            };
            for (Object[] c : cases) {
                MemorySegment blob = blob(arena);
                blob.set(I32, (long) c[0], (int) c[1]);
                assertRefused(blob, SHAPE, (String) c[2]);
            }
            MemorySegment blob = blob(arena);
            assertRefused(blob, new SequenceState.Shape(3, LlamaCpp.GGML_TYPE_F16, 4), "layer 0 K row bytes expected 4, got 8");
            assertRefused(blob.asSlice(0, blob.byteSize() - 1), SHAPE, "layer 2 V rows expected 80 bytes at offset");
            MemorySegment longer = arena.allocate(blob.byteSize() + 4);
            longer.copyFrom(blob);
            assertRefused(longer, SHAPE, "blob size expected " + blob.byteSize() + " bytes, got " + longer.byteSize());
            assertRefused(blob.asSlice(0, 6), SHAPE, "seq id expected 4 bytes at offset 4, got a blob of 6 bytes (truncated)");
        }
    }
}
