package dev.kvbm.engine.llamacpp.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One llama.cpp context holding one sequence (seq id 0) with its batch and a reusable state buffer. A context is
 * driven by one thread at a time; llama.cpp contexts of one model may run on several threads at once.
 */
final class LlamaContext {
    static final int SEQ = 0;
    /** The sequence of the padding tokens that lift a short micro-batch to llama.cpp's tiled kernel. */
    static final int PADDING_SEQ = 1;
    private static final int MIN_QUERIES = dev.kvbm.engine.llamacpp.LlamaCppOptions.MIN_UBATCH;
    private static final long BATCH_TOKEN = LlamaCpp.BATCH.byteOffset(groupElement("token"));
    private static final long BATCH_POS = LlamaCpp.BATCH.byteOffset(groupElement("pos"));
    private static final long BATCH_N_SEQ_ID = LlamaCpp.BATCH.byteOffset(groupElement("n_seq_id"));
    private static final long BATCH_SEQ_ID = LlamaCpp.BATCH.byteOffset(groupElement("seq_id"));
    private static final long BATCH_LOGITS = LlamaCpp.BATCH.byteOffset(groupElement("logits"));
    private static final long BATCH_N_TOKENS = LlamaCpp.BATCH.byteOffset(groupElement("n_tokens"));

    private final LlamaCpp llama;
    private final MemorySegment ctx;
    private final int vocab;
    private final int batchCapacity;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment batch;
    private final MemorySegment token;
    private final MemorySegment pos;
    private final MemorySegment nSeqId;
    private final MemorySegment seqIds;
    private final MemorySegment logits;
    private final MemorySegment[] seqIdOf;
    private Arena stateArena;
    private MemorySegment state = MemorySegment.NULL;
    private boolean freed;

    private static java.lang.foreign.MemoryLayout.PathElement groupElement(String name) {
        return java.lang.foreign.MemoryLayout.PathElement.groupElement(name);
    }

    LlamaContext(LlamaCpp llama, MemorySegment ctx, int vocab) {
        this.llama = llama;
        this.ctx = ctx;
        this.vocab = vocab;
        this.batchCapacity = llama.nBatch(ctx);
        if (batchCapacity < MIN_QUERIES) {
            throw new IllegalStateException("n_batch " + batchCapacity + " below " + MIN_QUERIES);
        }
        this.batch = llama.batchInit(arena, batchCapacity, 1);
        this.token = array(BATCH_TOKEN, 4);
        this.pos = array(BATCH_POS, 4);
        this.nSeqId = array(BATCH_N_SEQ_ID, 4);
        this.seqIds = array(BATCH_SEQ_ID, 8);
        this.logits = array(BATCH_LOGITS, 1);
        this.seqIdOf = new MemorySegment[batchCapacity];
        for (int i = 0; i < batchCapacity; i++) {
            nSeqId.setAtIndex(ValueLayout.JAVA_INT, i, 1);
            seqIdOf[i] = LlamaCpp.sized(seqIds.getAtIndex(ValueLayout.ADDRESS, i), 4);
        }
    }

    private MemorySegment array(long field, int elementBytes) {
        return LlamaCpp.sized(batch.get(ValueLayout.ADDRESS, field), (long) batchCapacity * elementBytes);
    }

    /**
     * Decodes {@code tokens} at positions {@code start..}, one micro-batch per {@code llama_decode}, and returns the
     * last position's logits. A piece shorter than 64 tokens is padded with tokens of {@link #PADDING_SEQ}, which
     * attend only to each other and are dropped afterwards: llama.cpp then computes every token of the sequence
     * with its tiled flash-attention kernel, the same bits whether the token came in a long prompt or a short suffix.
     */
    float[] decode(int[] tokens, int start) {
        float[] out = null;
        for (int first = 0; first < tokens.length; ) {
            int n = Math.min(batchCapacity, tokens.length - first);
            boolean last = first + n == tokens.length;
            int padding = Math.max(0, MIN_QUERIES - n);
            for (int i = 0; i < n; i++) {
                token.setAtIndex(ValueLayout.JAVA_INT, i, tokens[first + i]);
                pos.setAtIndex(ValueLayout.JAVA_INT, i, start + first + i);
                seqIdOf[i].set(ValueLayout.JAVA_INT, 0, SEQ);
                logits.set(ValueLayout.JAVA_BYTE, i, (byte) (last && i == n - 1 ? 1 : 0));
            }
            for (int i = n; i < n + padding; i++) {
                token.setAtIndex(ValueLayout.JAVA_INT, i, 0);
                pos.setAtIndex(ValueLayout.JAVA_INT, i, i - n);
                seqIdOf[i].set(ValueLayout.JAVA_INT, 0, PADDING_SEQ);
                logits.set(ValueLayout.JAVA_BYTE, i, (byte) 0);
            }
            batch.set(ValueLayout.JAVA_INT, BATCH_N_TOKENS, n + padding);
            int rc = llama.decode(ctx, batch);
            if (padding > 0 && !llama.memorySeqRm(ctx, PADDING_SEQ, -1, -1)) {
                throw new KvbmException(ErrorCode.NATIVE_FAILURE, "llama_memory_seq_rm refused to drop the padding");
            }
            if (rc != 0) {
                throw new KvbmException(ErrorCode.NATIVE_FAILURE, "llama_decode returned " + rc + " for " + n
                        + " tokens at position " + (start + first) + (rc == 1 ? " (no KV slot: the context is full)"
                        : rc == -1 ? " (invalid batch)" : ""));
            }
            if (last) {
                MemorySegment l = llama.logitsIth(ctx, n - 1);
                if (l.equals(MemorySegment.NULL)) {
                    throw new KvbmException(ErrorCode.NATIVE_FAILURE, "llama_get_logits_ith returned NULL");
                }
                out = LlamaCpp.sized(l, (long) vocab * Float.BYTES).toArray(ValueLayout.JAVA_FLOAT);
            }
            first += n;
        }
        return out;
    }

    /** The sequence's state blob, in a buffer reused until the next call. */
    MemorySegment saveState() {
        long size = llama.stateSeqGetSize(ctx, SEQ);
        if (size <= 0) {
            throw new KvbmException(ErrorCode.NATIVE_FAILURE, "llama_state_seq_get_size returned " + size);
        }
        MemorySegment buffer = stateBuffer(size);
        long written = llama.stateSeqGetData(ctx, buffer, SEQ);
        if (written != size) {
            throw new KvbmException(ErrorCode.NATIVE_FAILURE, "llama_state_seq_get_data wrote " + written
                    + " bytes of " + size);
        }
        return buffer;
    }

    /** A buffer of exactly {@code size} bytes, reused (and grown) across calls. */
    MemorySegment stateBuffer(long size) {
        if (state.byteSize() < size) {
            if (stateArena != null) {
                stateArena.close();
            }
            stateArena = Arena.ofShared();
            state = stateArena.allocate(Math.max(size, state.byteSize() * 3 / 2), 64);
        }
        return state.asSlice(0, size);
    }

    /** Loads a blob built by {@link SequenceState#write} into seq 0 (which it replaces). */
    void loadState(MemorySegment blob) {
        long read = llama.stateSeqSetData(ctx, blob, SEQ);
        if (read != blob.byteSize()) {
            clear();
            throw new KvbmException(ErrorCode.NATIVE_FAILURE, "llama_state_seq_set_data read " + read + " of "
                    + blob.byteSize() + " bytes (0 = refused; see the dev.kvbm.engine.llamacpp.native log)");
        }
    }

    void clear() {
        clearFrom(-1);
    }

    /** Drops the positions from {@code first} on ({@code -1}: all of them). */
    void clearFrom(int first) {
        if (!llama.memorySeqRm(ctx, SEQ, first, -1)) {
            throw new KvbmException(ErrorCode.NATIVE_FAILURE, "llama_memory_seq_rm refused to drop sequence " + SEQ
                    + " from position " + first);
        }
    }

    int contextTokens() {
        return llama.nCtx(ctx);
    }

    void free() {
        if (freed) {
            return;
        }
        freed = true;
        llama.batchFree(batch);
        llama.free(ctx);
        arena.close();
        if (stateArena != null) {
            stateArena.close();
        }
    }
}
