package dev.kvbm.engine.jlama.internal;

import com.github.tjake.jlama.tensor.KvBufferCache;
import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.EngineSequence;
import dev.kvbm.api.spi.KvPages;
import java.util.Objects;
import java.util.UUID;

/**
 * One sequence: its own {@code KvBufferCache} holding one session's {@code KvBuffer}, driven through
 * {@code batchForward} (never {@code generate()}, which closes the buffer). One thread drives it.
 */
final class JlamaSequence implements EngineSequence {

    private final JlamaEngineModel owner;
    private KvBufferCache cache;
    private KvBufferCache.KvBuffer kv;
    private int length;
    private boolean closed;

    JlamaSequence(JlamaEngineModel owner) {
        this.owner = owner;
        freshBuffer();
    }

    private void freshBuffer() {
        cache = owner.newKvCache();
        kv = cache.getKvBuffer(UUID.randomUUID());
        length = 0;
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public float[] decode(int[] tokens) {
        requireOpen();
        Objects.requireNonNull(tokens, "tokens");
        if (tokens.length == 0) {
            throw KvbmException.invalid("tokens", "none", "at least one token");
        }
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] < 0 || tokens[i] >= owner.vocabSize()) {
                throw KvbmException.invalid("tokens[" + i + "]", tokens[i], "in 0.." + (owner.vocabSize() - 1));
            }
        }
        requireContext("decode", (long) length + tokens.length);
        float[] logits = owner.forward(tokens, length, kv);
        length += tokens.length;
        kv.setCurrentContextPosition(length);
        return logits;
    }

    @Override
    public void save(int firstBlock, KvPages target) {
        requireOpen();
        int pageSize = checkPages(target);
        if (firstBlock < 0) {
            throw KvbmException.invalid("firstBlock", firstBlock, ">= 0");
        }
        long end = ((long) firstBlock + target.count()) * pageSize;
        if (end > length) {
            throw KvbmException.forField(ErrorCode.INVALID_ARGUMENT, "firstBlock", "save of blocks " + firstBlock + ".."
                    + (firstBlock + target.count() - 1) + " needs tokens up to " + end + ", but the sequence holds "
                    + length);
        }
        if (target.count() > 0) {
            KvRowCopier.copy(kv, owner.geometry(), target, firstBlock * pageSize, KvRowCopier.Direction.TO_PAGES);
        }
    }

    @Override
    public void load(KvPages source) {
        requireOpen();
        int pageSize = checkPages(source);
        if (length != 0) {
            throw new KvbmException(ErrorCode.INVALID_STATE, "load needs an empty sequence, but this one holds " + length
                    + " tokens; clear() it first");
        }
        long tokens = (long) source.count() * pageSize;
        requireContext("load", tokens);
        if (tokens > 0) {
            KvRowCopier.copy(kv, owner.geometry(), source, 0, KvRowCopier.Direction.FROM_PAGES);
        }
        length = (int) tokens;
        kv.setCurrentContextPosition(length);
    }

    @Override
    public void clear() {
        requireOpen();
        cache.close();
        freshBuffer();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            cache.close();
            owner.forget(this);
        }
    }

    private int checkPages(KvPages pages) {
        Objects.requireNonNull(pages, "pages");
        if (pages.pageSize() < 1) {
            throw KvbmException.invalid("pageSize", pages.pageSize(), ">= 1");
        }
        if (pages.count() < 0) {
            throw KvbmException.invalid("count", pages.count(), ">= 0");
        }
        return pages.pageSize();
    }

    private void requireContext(String op, long tokens) {
        if (tokens > owner.contextTokens()) {
            throw KvbmException.forField(ErrorCode.INVALID_ARGUMENT, "tokens", op + " would hold " + tokens
                    + " tokens, more than the " + owner.contextTokens() + " of the context");
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new KvbmException(ErrorCode.INVALID_STATE, "the jlama sequence is closed");
        }
    }
}
