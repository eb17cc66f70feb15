package dev.kvbm.api.spi;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.Tier;
import java.net.URI;
import java.util.Set;

/**
 * A remote, shared G4 tier (a Redis-protocol server, an object store). It is a {@link TierProvider}, so
 * the registry lists it with the local tiers, but it holds no local storage: instead of an allocator it
 * opens a {@link RemoteBlockStore} for a URI whose scheme it serves. The store is the remote tier's
 * transfer engine as well: it writes blocks from host memory and reads them back into host memory.
 */
public interface RemoteTierProvider extends TierProvider {

    /** URI schemes this provider opens, e.g. {@code redis}, {@code rediss}, {@code redis-cluster}. */
    Set<String> schemes();

    /**
     * Connects to the store named by {@code config.uri()}. Credentials come from the environment the
     * provider documents, never from the URI. Fails with {@code INVALID_CONFIG} for a malformed URI and
     * {@code IO_ERROR} when the store cannot be reached.
     */
    RemoteBlockStore open(RemoteStoreConfig config);

    @Override
    default Set<Tier> tiers() {
        return Set.of(Tier.G4);
    }

    @Override
    default StorageKind storageKind() {
        return StorageKind.REMOTE;
    }

    /** Whether {@code uri}'s scheme is one of {@link #schemes()}. */
    default boolean accepts(URI uri) {
        return uri.getScheme() != null && schemes().contains(uri.getScheme().toLowerCase(java.util.Locale.ROOT));
    }

    /** A remote tier has no local storage to allocate: open a {@link RemoteBlockStore} instead. */
    @Override
    default StorageAllocator createAllocator(TierConfig config) {
        throw new KvbmException(ErrorCode.INVALID_STATE, name() + " is a remote tier: it holds no local storage; "
                + "open a RemoteBlockStore with open(RemoteStoreConfig)");
    }
}
