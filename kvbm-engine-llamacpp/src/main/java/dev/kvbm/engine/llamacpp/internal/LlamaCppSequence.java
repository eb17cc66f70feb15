package dev.kvbm.engine.llamacpp.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.EngineSequence;
import dev.kvbm.api.spi.KvPages;
import java.lang.foreign.MemorySegment;

/**
 * One sequence on its own llama.cpp context. {@link #save} cuts the engine's state blob into kvbm blocks (page
 * rows of K or V of one layer per region); {@link #load} builds a blob of the cached cells (positions 0..n-1)
 * from kvbm blocks and hands it to {@code llama_state_seq_set_data}, after which decoding continues at n.
 */
final class LlamaCppSequence implements EngineSequence {
    private final LlamaCppModel model;
    private final LlamaContext context;
    private int length;
    private boolean closed;
    /** The parsed state of the last save, while the sequence has not changed: saving run by run reads it once. */
    private SequenceState saved;

    LlamaCppSequence(LlamaCppModel model, LlamaContext context) {
        this.model = model;
        this.context = context;
    }

    /** The engine context, for tests that look at the raw state blob. */
    LlamaContext context() {
        return context;
    }

    private void requireOpen() {
        if (closed) {
            throw new KvbmException(ErrorCode.INVALID_STATE, "the llama.cpp sequence is closed");
        }
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public float[] decode(int[] tokens) {
        requireOpen();
        if (tokens.length == 0) {
            throw KvbmException.invalid("tokens", "[]", "at least one token");
        }
        if ((long) length + tokens.length > model.contextTokens()) {
            throw KvbmException.invalid("tokens", tokens.length + " more after " + length, "at most "
                    + (model.contextTokens() - length) + " more (context " + model.contextTokens() + " tokens)");
        }
        int vocab = model.vocabSize();
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] < 0 || tokens[i] >= vocab) {
                throw KvbmException.invalid("tokens[" + i + "]", tokens[i], "a token id in 0.." + (vocab - 1));
            }
        }
        float[] logits;
        saved = null;
        try {
            logits = context.decode(tokens, length);
        } catch (RuntimeException e) {
            // llama_decode may keep part of a failed batch: drop everything past the known length.
            context.clearFrom(length);
            throw e;
        }
        length += tokens.length;
        return logits;
    }

    @Override
    public void save(int firstBlock, KvPages target) {
        requireOpen();
        int page = target.pageSize();
        int count = target.count();
        if (page < 1 || count < 0) {
            throw KvbmException.invalid("target", page + " tokens x " + count + " blocks", "a page size >= 1 and count >= 0");
        }
        if (firstBlock < 0 || (long) (firstBlock + count) * page > length) {
            throw KvbmException.invalid("firstBlock", firstBlock, "such that blocks " + firstBlock + ".."
                    + (firstBlock + count - 1) + " of " + page + " tokens lie in the " + length + " computed tokens");
        }
        if (count == 0) {
            return;
        }
        SequenceState.Shape shape = model.shape();
        SequenceState state = saved;
        if (state == null) {
            state = SequenceState.parse(context.saveState(), LlamaContext.SEQ, shape);
            if (state.cells() != length) {
                throw SequenceState.refuse("cell count", Integer.toString(length), Integer.toString(state.cells()));
            }
            saved = state;
        }
        for (int b = 0; b < count; b++) {
            for (int layer = 0; layer < shape.layers(); layer++) {
                for (int outer = 0; outer < 2; outer++) {
                    MemorySegment region = region(target, b, layer, outer, shape);
                    state.copyRows(layer, outer, (firstBlock + b) * page, page, region);
                }
            }
        }
    }

    @Override
    public void load(KvPages source) {
        requireOpen();
        if (length != 0) {
            throw new KvbmException(ErrorCode.INVALID_STATE, "load needs an empty sequence; this one holds " + length
                    + " tokens (clear() it first)");
        }
        int page = source.pageSize();
        int count = source.count();
        if (page < 1 || count < 0) {
            throw KvbmException.invalid("source", page + " tokens x " + count + " blocks", "a page size >= 1 and count >= 0");
        }
        long tokens = (long) page * count;
        if (tokens > model.contextTokens()) {
            throw KvbmException.invalid("source", count + " blocks of " + page + " tokens", "at most "
                    + model.contextTokens() + " tokens (the context)");
        }
        if (count == 0) {
            return;
        }
        SequenceState.Shape shape = model.shape();
        // Check every region first, so a wrong geometry is refused before the engine sees anything.
        for (int b = 0; b < count; b++) {
            for (int layer = 0; layer < shape.layers(); layer++) {
                region(source, b, layer, 0, shape);
                region(source, b, layer, 1, shape);
            }
        }
        saved = null; // the state buffer is about to hold the blob to load
        MemorySegment blob = context.stateBuffer(shape.blobBytes((int) tokens));
        SequenceState.write(blob, LlamaContext.SEQ, shape, (int) tokens, page,
                (layer, outer, firstPos, n, dst) -> MemorySegment.copy(
                        source.region(firstPos / page, layer, outer), 0, dst, 0, dst.byteSize()));
        context.loadState(blob);
        length = (int) tokens;
    }

    private static MemorySegment region(KvPages pages, int block, int layer, int outer, SequenceState.Shape shape) {
        MemorySegment region = pages.region(block, layer, outer);
        long expected = pages.pageSize() * shape.rowBytes();
        if (region.byteSize() != expected) {
            throw KvbmException.forField(ErrorCode.INVALID_ARGUMENT, "region", "block " + block + " layer " + layer
                    + (outer == 0 ? " K" : " V") + " region must be " + expected + " bytes (" + pages.pageSize()
                    + " tokens x " + shape.rowBytes() + "-byte rows of the model's KV geometry), got "
                    + region.byteSize());
        }
        return region;
    }

    @Override
    public void clear() {
        requireOpen();
        saved = null;
        context.clear();
        length = 0;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        model.release(this, context);
    }
}
