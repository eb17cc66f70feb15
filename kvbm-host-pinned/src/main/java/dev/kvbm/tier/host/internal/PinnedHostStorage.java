package dev.kvbm.tier.host.internal;

import dev.kvbm.api.spi.AbstractStorage;
import dev.kvbm.api.spi.Storage;
import dev.kvbm.api.spi.StorageKind;
import dev.kvbm.api.spi.HostMemoryRegistrar;
import dev.kvbm.nativeio.libc.LibC;
import dev.kvbm.tier.host.PinnedMemory;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import net.openhft.chronicle.bytes.BytesStore;

/**
 * A page-aligned region of a Chronicle native store, locked with mlock chunk by chunk (or pageable when
 * the lock was refused) and registered with its tier's {@link HostMemoryRegistrar}. One owner;
 * {@link #close()} unregisters, unlocks and releases the Chronicle store exactly once.
 */
final class PinnedHostStorage extends AbstractStorage implements PinnedMemory {
    private static final System.Logger LOG = System.getLogger(PinnedHostStorage.class.getName());

    private final BytesStore<?, Void> store;
    private final Arena arena;
    private final MemorySegment segment;
    private final List<MemorySegment> chunks;
    private final boolean pinned;
    private final String pinFailure;
    private final HostMemoryRegistrar registrar;
    private final MemoryLocker locker;
    private final long allocationNanos;

    PinnedHostStorage(BytesStore<?, Void> store, Arena arena, MemorySegment segment, List<MemorySegment> chunks,
                      boolean pinned, String pinFailure, HostMemoryRegistrar registrar, MemoryLocker locker,
                      long allocationNanos, Consumer<? super Storage> onClose) {
        super(StorageKind.PINNED, onClose);
        this.store = store;
        this.arena = arena;
        this.segment = segment;
        this.chunks = List.copyOf(chunks);
        this.pinned = pinned;
        this.pinFailure = pinFailure;
        this.registrar = registrar;
        this.locker = locker;
        this.allocationNanos = allocationNanos;
    }

    @Override
    public long size() {
        return segment.byteSize();
    }

    @Override
    public MemorySegment segment() {
        return segment;
    }

    @Override
    public long address() {
        return segment.address();
    }

    @Override
    public boolean pinned() {
        return pinned;
    }

    /** Why the region is not pinned (the warning text), when it is not. */
    Optional<String> pinFailure() {
        return Optional.ofNullable(pinFailure);
    }

    @Override
    public long allocationNanos() {
        return allocationNanos;
    }

    List<MemorySegment> chunks() {
        return chunks;
    }

    @Override
    protected void release() {
        try {
            if (registrar != null) {
                for (int i = chunks.size() - 1; i >= 0; i--) {
                    try {
                        registrar.unregister(chunks.get(i));
                    } catch (RuntimeException e) {
                        LOG.log(System.Logger.Level.WARNING, "unregistering a pinned host chunk failed", e);
                    }
                }
            }
            if (pinned) {
                for (MemorySegment c : chunks) {
                    int errno = locker.unlock(c);
                    if (errno != 0) {
                        LOG.log(System.Logger.Level.WARNING, "munlock of " + c.byteSize() + " bytes failed: "
                                + LibC.errnoName(errno));
                    }
                }
            }
        } finally {
            arena.close(); // every later access through segment() now fails instead of reading freed memory
            store.releaseLast();
        }
    }

    @Override
    public String toString() {
        return "PinnedHostStorage[" + segment.byteSize() + " bytes at 0x" + Long.toHexString(segment.address())
                + (pinned ? ", locked" : ", pageable") + "]";
    }
}
