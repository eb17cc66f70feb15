package dev.kvbm.tier.s3.internal;

import dev.kvbm.api.spi.RemoteBlockStore;
import dev.kvbm.api.spi.RemoteStoreConfig;
import dev.kvbm.api.spi.RemoteTierProvider;
import java.util.Optional;
import java.util.Set;

/** The {@code s3} G4 provider: any S3-compatible object store. */
public final class S3TierProvider implements RemoteTierProvider {

    @Override
    public String name() {
        return "s3";
    }

    @Override
    public String description() {
        return "G4 on the S3 API (s3://BUCKET?endpoint=URL, DYN_KVBM_OBJECT_*) through the AWS SDK v2; write-once "
                + "objects (If-None-Match: *), CRC32C-checked values";
    }

    @Override
    public boolean isAvailable() {
        return true; // the SDK is a module dependency: if this class loads, so does the SDK
    }

    @Override
    public Optional<String> unavailabilityCause() {
        return Optional.empty();
    }

    @Override
    public Set<String> schemes() {
        return Set.of("s3");
    }

    @Override
    public RemoteBlockStore open(RemoteStoreConfig config) {
        return new S3BlockStore(S3Endpoint.parse(config.uri(), config.namespace().rank(), System.getenv()), config);
    }
}
