package dev.kvbm.tier.s3.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.AbstractRemoteBlockStore;
import dev.kvbm.api.spi.RemoteStoreConfig;
import dev.kvbm.api.spi.RemoteValueFormat;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Blocks of one namespace as objects of one bucket. The SDK's client is synchronous; operations run on a
 * small pool so that several are in flight. A value is streamed out of the block's segments (no whole-value
 * heap copy) and read into an off-heap staging buffer, checked, and only then copied into the target.
 */
final class S3BlockStore extends AbstractRemoteBlockStore {
    private static final System.Logger LOG = System.getLogger(S3BlockStore.class.getName());
    static final String OPTION_THREADS = "s3.threads";

    private final S3Endpoint endpoint;
    private final S3Client s3;
    private final ExecutorService pool;
    private final RecentObjects recent;
    private final ThreadLocal<ByteBuffer> staging;
    /** Writes in flight, by key. */
    private final ConcurrentHashMap<String, CompletableFuture<Boolean>> writing = new ConcurrentHashMap<>();

    S3BlockStore(S3Endpoint endpoint, RemoteStoreConfig config) {
        super(config.namespace(), endpoint.display());
        this.endpoint = endpoint;
        int threads = config.intOption(OPTION_THREADS, 8, 1, 256);
        S3ClientBuilder b = S3Client.builder().region(Region.of(endpoint.region()))
                .httpClient(UrlConnectionHttpClient.builder().connectionTimeout(config.timeout())
                        .socketTimeout(config.timeout()).build())
                .overrideConfiguration(ClientOverrideConfiguration.builder().apiCallTimeout(config.timeout().multipliedBy(2))
                        .build())
                // The value carries its own CRC32C; S3-compatible servers differ in trailing-checksum support.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        endpoint.endpoint().ifPresent(e -> b.endpointOverride(e).forcePathStyle(true));
        if (endpoint.accessKey().isPresent() && endpoint.secretKey().isPresent()) {
            b.credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(endpoint.accessKey().get(),
                    endpoint.secretKey().get())));
        } else {
            b.credentialsProvider(DefaultCredentialsProvider.builder().build());
        }
        this.s3 = b.build();
        this.pool = Executors.newFixedThreadPool(threads, Thread.ofPlatform().daemon().name("kvbm-g4-s3-", 0).factory());
        this.recent = new RecentObjects(endpoint.maxBlocks());
        long valueBytes = RemoteValueFormat.HEADER_BYTES + namespace.blockBytes();
        this.staging = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(Math.toIntExact(valueBytes)));
        try {
            s3.headBucket(r -> r.bucket(endpoint.bucket()));
        } catch (RuntimeException e) {
            close();
            throw new KvbmException(ErrorCode.IO_ERROR, "G4 " + endpoint.display() + " cannot be reached: " + e.getMessage(), e);
        }
    }

    private <T> CompletableFuture<T> submit(String operation, Supplier<T> call) {
        if (isClosed()) {
            return CompletableFuture.failedFuture(closedFailure());
        }
        try {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    return call.get();
                } catch (KvbmException e) {
                    throw e;
                } catch (RuntimeException e) {
                    throw failure(operation, e, false);
                }
            }, pool);
        } catch (java.util.concurrent.RejectedExecutionException e) { // closed meanwhile
            return CompletableFuture.failedFuture(closedFailure());
        }
    }

    @Override
    public CompletableFuture<Boolean> putIfAbsent(long sequenceHash, List<MemorySegment> payload) {
        KvbmException bad = wrongSize("payload", payload);
        if (bad != null) {
            return CompletableFuture.failedFuture(bad);
        }
        String key = namespace.key(sequenceHash);
        CompletableFuture<Boolean> mine = new CompletableFuture<>();
        CompletableFuture<Boolean> running = writing.putIfAbsent(key, mine);
        if (running != null) {
            // This instance is writing the block already (re-offloaded before its first write landed): this call is
            // the second writer, as with SET NX. A server whose conditional write is not atomic (S3Proxy checks, then
            // writes) would otherwise store and count it twice. Should the first write fail, this one tries itself.
            return running.handle((written, err) -> err == null).thenCompose(firstLanded -> {
                if (firstLanded) {
                    counters.put(false);
                    return CompletableFuture.completedFuture(false);
                }
                return putIfAbsent(sequenceHash, payload);
            });
        }
        ByteBuffer header = RemoteValueFormat.header(namespace.fingerprint(), sequenceHash, namespace.blockBytes(),
                RemoteValueFormat.payloadChecksum(payload));
        long length = RemoteValueFormat.HEADER_BYTES + namespace.blockBytes();
        submit("PUT If-None-Match", () -> {
            boolean written;
            try {
                s3.putObject(r -> r.bucket(endpoint.bucket()).key(key).ifNoneMatch("*").contentLength(length),
                        RequestBody.fromContentProvider(() -> new SegmentsInputStream(header.duplicate(), payload), length,
                                "application/octet-stream"));
                written = true;
            } catch (S3Exception e) {
                if (e.statusCode() != 412 && e.statusCode() != 409) { // exists, or a concurrent conditional write won
                    throw e;
                }
                // After a retry the object may be this call's own: an earlier attempt that stored it but whose
                // answer was lost (a timeout, a dropped connection). It is when it holds this very header.
                written = e.numAttempts() != null && e.numAttempts() > 1 && holds(key, header);
            }
            counters.put(written);
            if (written) {
                for (String old : recent.touch(key)) {
                    deleteKey(old);
                }
            }
            return written;
        }).whenComplete((written, err) -> {
            writing.remove(key, mine); // before anyone learns the outcome: a later write asks the server again
            if (err != null) {
                mine.completeExceptionally(err);
            } else {
                mine.complete(written);
            }
        });
        return mine;
    }

    /** Whether the object under {@code key} begins with {@code header} (same block, same payload checksum). */
    private boolean holds(String key, ByteBuffer header) {
        try {
            byte[] head = s3.getObjectAsBytes(r -> r.bucket(endpoint.bucket()).key(key)
                    .range("bytes=0-" + (RemoteValueFormat.HEADER_BYTES - 1))).asByteArray();
            return ByteBuffer.wrap(head).equals(header.duplicate());
        } catch (NoSuchKeyException e) {
            return false;
        }
    }

    @Override
    public CompletableFuture<Boolean> get(long sequenceHash, List<MemorySegment> target) {
        KvbmException bad = wrongSize("target", target);
        if (bad != null) {
            return CompletableFuture.failedFuture(bad);
        }
        String key = namespace.key(sequenceHash);
        return submit("GET", () -> {
            ByteBuffer value = staging.get().clear();
            RemoteValueFormat.Verdict verdict;
            try (ResponseInputStream<GetObjectResponse> in = s3.getObject(r -> r.bucket(endpoint.bucket()).key(key))) {
                verdict = readInto(in, value);
            } catch (NoSuchKeyException e) {
                counters.miss();
                recent.forget(key);
                return false;
            } catch (IOException e) {
                throw failure("reading " + key, e, false);
            }
            value.flip();
            if (verdict == RemoteValueFormat.Verdict.OK) {
                verdict = RemoteValueFormat.checkHeader(value, namespace.fingerprint(), sequenceHash, namespace.blockBytes());
            }
            if (verdict == RemoteValueFormat.Verdict.OK && !RemoteValueFormat.verifyPayload(value)) {
                verdict = RemoteValueFormat.Verdict.BAD_PAYLOAD_CHECKSUM;
            }
            if (verdict != RemoteValueFormat.Verdict.OK) {
                counters.checksumFailure();
                LOG.log(System.Logger.Level.WARNING, "G4 object " + key + " refused (" + verdict
                        + "): served as a miss and deleted so it can be written again");
                deleteKey(key);
                return false;
            }
            RemoteValueFormat.copyPayload(value, target);
            counters.hit();
            recent.touch(key);
            return true;
        });
    }

    /** Reads the whole object into {@code value}; an object longer than a value of the namespace is refused. */
    private static RemoteValueFormat.Verdict readInto(InputStream in, ByteBuffer value) throws IOException {
        ReadableByteChannel channel = Channels.newChannel(in);
        while (value.hasRemaining()) {
            if (channel.read(value) < 0) {
                return RemoteValueFormat.Verdict.OK; // shorter values are judged by the header check
            }
        }
        return in.read() < 0 ? RemoteValueFormat.Verdict.OK : RemoteValueFormat.Verdict.WRONG_LENGTH;
    }

    private void deleteKey(String key) {
        recent.forget(key);
        try {
            s3.deleteObject(r -> r.bucket(endpoint.bucket()).key(key));
        } catch (RuntimeException e) {
            counters.error();
            LOG.log(System.Logger.Level.WARNING, "G4 " + endpoint.display() + ": deleting " + key + " failed: " + e);
        }
    }

    @Override
    public CompletableFuture<boolean[]> contains(long[] sequenceHashes) {
        List<CompletableFuture<Boolean>> heads = new java.util.ArrayList<>(sequenceHashes.length);
        for (long h : sequenceHashes) {
            heads.add(submit("HEAD", () -> {
                try {
                    s3.headObject(r -> r.bucket(endpoint.bucket()).key(namespace.key(h)));
                    return true;
                } catch (NoSuchKeyException e) {
                    return false;
                } catch (S3Exception e) {
                    if (e.statusCode() == 404) {
                        return false;
                    }
                    throw e;
                }
            }));
        }
        return CompletableFuture.allOf(heads.toArray(CompletableFuture[]::new)).thenApply(v -> {
            boolean[] out = new boolean[sequenceHashes.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = heads.get(i).join();
            }
            return out;
        });
    }

    @Override
    public CompletableFuture<Void> delete(long sequenceHash) {
        return submit("DELETE", () -> {
            deleteKey(namespace.key(sequenceHash));
            return null;
        });
    }

    /** Objects this instance currently counts against {@code DYN_KVBM_OBJECT_NUM_BLOCKS}. */
    int counted() {
        return recent.size();
    }

    @Override
    protected void release() {
        if (pool != null) {
            pool.shutdownNow();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    /** The header, then each page, read in place. */
    private static final class SegmentsInputStream extends InputStream {
        private final ByteBuffer header;
        private final List<MemorySegment> pages;
        private int page = -1;
        private ByteBuffer current;

        SegmentsInputStream(ByteBuffer header, List<MemorySegment> pages) {
            this.header = header;
            this.pages = pages;
            this.current = header;
        }

        private boolean advance() {
            while (!current.hasRemaining()) {
                if (++page >= pages.size()) {
                    return false;
                }
                current = pages.get(page).asByteBuffer();
            }
            return true;
        }

        @Override
        public int read() {
            return advance() ? current.get() & 0xFF : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) {
                return 0;
            }
            if (!advance()) {
                return -1;
            }
            int n = Math.min(len, current.remaining());
            current.get(b, off, n);
            return n;
        }
    }
}
