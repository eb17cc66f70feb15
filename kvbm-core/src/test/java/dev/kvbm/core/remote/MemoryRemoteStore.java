package dev.kvbm.core.remote;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.BlockNamespace;
import dev.kvbm.api.spi.AbstractRemoteBlockStore;
import dev.kvbm.api.spi.RemoteValueFormat;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A remote store over a map several instances share (as several hosts share one server), in the
 * {@link RemoteValueFormat}; {@link #down} makes every operation fail as an unreachable server would.
 */
final class MemoryRemoteStore extends AbstractRemoteBlockStore {
    final Map<String, byte[]> values;
    final AtomicBoolean down;
    /** Writes wait for this (a slow server); completed by default. */
    volatile CompletableFuture<Void> gate = CompletableFuture.completedFuture(null);

    MemoryRemoteStore(Map<String, byte[]> values, AtomicBoolean down, BlockNamespace namespace) {
        super(namespace, "memory");
        this.values = values;
        this.down = down;
    }

    static Map<String, byte[]> newServer() {
        return new ConcurrentHashMap<>();
    }

    private <T> CompletableFuture<T> unreachable() {
        counters.error();
        return CompletableFuture.failedFuture(new KvbmException(ErrorCode.IO_ERROR, "memory store is down"));
    }

    @Override
    public CompletableFuture<Boolean> putIfAbsent(long sequenceHash, List<MemorySegment> payload) {
        if (down.get()) {
            return unreachable();
        }
        return gate.thenApply(v -> write(sequenceHash, payload));
    }

    private boolean write(long sequenceHash, List<MemorySegment> payload) {
        ByteBuffer header = RemoteValueFormat.header(namespace.fingerprint(), sequenceHash,
                RemoteValueFormat.payloadLength(payload), RemoteValueFormat.payloadChecksum(payload));
        byte[] value = new byte[RemoteValueFormat.HEADER_BYTES + (int) RemoteValueFormat.payloadLength(payload)];
        header.get(value, 0, RemoteValueFormat.HEADER_BYTES);
        int off = RemoteValueFormat.HEADER_BYTES;
        for (MemorySegment p : payload) {
            MemorySegment.copy(p, ValueLayout.JAVA_BYTE, 0, value, off, (int) p.byteSize());
            off += (int) p.byteSize();
        }
        boolean written = values.putIfAbsent(namespace.key(sequenceHash), value) == null;
        counters.put(written);
        return written;
    }

    @Override
    public CompletableFuture<Boolean> get(long sequenceHash, List<MemorySegment> target) {
        if (down.get()) {
            return unreachable();
        }
        byte[] value = values.get(namespace.key(sequenceHash));
        if (value == null) {
            counters.miss();
            return CompletableFuture.completedFuture(false);
        }
        ByteBuffer v = ByteBuffer.wrap(value);
        if (RemoteValueFormat.checkHeader(v, namespace.fingerprint(), sequenceHash,
                RemoteValueFormat.payloadLength(target)) != RemoteValueFormat.Verdict.OK
                || !RemoteValueFormat.verifyPayload(v)) {
            counters.checksumFailure();
            values.remove(namespace.key(sequenceHash));
            return CompletableFuture.completedFuture(false);
        }
        RemoteValueFormat.copyPayload(v, target);
        counters.hit();
        return CompletableFuture.completedFuture(true);
    }

    @Override
    public CompletableFuture<boolean[]> contains(long[] sequenceHashes) {
        if (down.get()) {
            return unreachable();
        }
        boolean[] out = new boolean[sequenceHashes.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.containsKey(namespace.key(sequenceHashes[i]));
        }
        return CompletableFuture.completedFuture(out);
    }

    @Override
    public CompletableFuture<Void> delete(long sequenceHash) {
        values.remove(namespace.key(sequenceHash));
        return CompletableFuture.completedFuture(null);
    }

    @Override
    protected void release() {
    }
}
