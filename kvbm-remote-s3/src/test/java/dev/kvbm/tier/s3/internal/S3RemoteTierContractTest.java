package dev.kvbm.tier.s3.internal;

import dev.kvbm.api.spi.BlockNamespace;
import dev.kvbm.api.spi.RemoteBlockStore;
import dev.kvbm.api.spi.RemoteStoreConfig;
import dev.kvbm.tck.RemoteTierContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

/** The G4 contract on S3 (S3Proxy embedded); eviction is a deletion by someone else (a lifecycle rule). */
class S3RemoteTierContractTest extends RemoteTierContract {
    static S3ProxyServer server;

    @BeforeAll
    static void start() throws Exception {
        server = new S3ProxyServer();
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Override
    protected RemoteBlockStore openStore(BlockNamespace namespace) {
        return new S3BlockStore(S3Endpoint.parse(server.uri(), namespace.rank(), server.env()),
                new RemoteStoreConfig(server.uri(), namespace));
    }

    @Override
    protected void evictAll() {
        for (S3Object o : server.raw.listObjectsV2Paginator(r -> r.bucket(S3ProxyServer.BUCKET)).contents()) {
            server.raw.deleteObject(r -> r.bucket(S3ProxyServer.BUCKET).key(o.key()));
        }
    }

    @Override
    protected void writeRaw(String key, byte[] value) {
        server.raw.putObject(r -> r.bucket(S3ProxyServer.BUCKET).key(key), RequestBody.fromBytes(value));
    }

    @Override
    protected byte[] readRaw(String key) {
        try {
            return server.raw.getObjectAsBytes(r -> r.bucket(S3ProxyServer.BUCKET).key(key)).asByteArray();
        } catch (NoSuchKeyException e) {
            return null;
        }
    }
}
