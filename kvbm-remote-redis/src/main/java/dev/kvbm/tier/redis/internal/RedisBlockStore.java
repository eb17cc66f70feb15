package dev.kvbm.tier.redis.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.AbstractRemoteBlockStore;
import dev.kvbm.api.spi.RemoteStoreConfig;
import dev.kvbm.api.spi.RemoteValueFormat;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Blocks of one namespace on a Redis server or cluster. Several connections are used round robin;
 * commands are pipelined (each call writes at once and returns a future). A lost connection is
 * re-established by Lettuce in the background; meanwhile a standalone server's commands fail at once and
 * a cluster's wait at most the command timeout, so the core sees failures and degrades G4.
 */
final class RedisBlockStore extends AbstractRemoteBlockStore {
    private static final System.Logger LOG = System.getLogger(RedisBlockStore.class.getName());
    static final String OPTION_CONNECTIONS = "redis.connections";
    static final int DEFAULT_CONNECTIONS = 4;
    /** Commands one connection holds unanswered at most; more fail at once (memory stays bounded). */
    static final int REQUEST_QUEUE = 16_384;
    /**
     * Lettuce's default compacts its read buffer after most replies, moving the start of the next (large)
     * value each time; compacting only once half the buffer was consumed moves far fewer bytes.
     */
    private static final io.lettuce.core.protocol.DecodeBufferPolicy DECODE_POLICY =
            io.lettuce.core.protocol.DecodeBufferPolicies.alwaysSome();
    /** Stands for "a thread other than the caller" in segment accessibility checks; never started. */
    private static final Thread ANY_THREAD = Thread.ofPlatform().unstarted(() -> { });

    private final ClientResources resources;
    private final AbstractRedisClient client;
    private final List<StatefulConnection<String, BlockValue>> connections = new ArrayList<>();
    private final List<RedisClusterAsyncCommands<String, BlockValue>> commands = new ArrayList<>();
    private final AtomicInteger next = new AtomicInteger();

    RedisBlockStore(RedisEndpoint endpoint, RemoteStoreConfig config) {
        super(config.namespace(), endpoint.display());
        int n = config.intOption(OPTION_CONNECTIONS, DEFAULT_CONNECTIONS, 1, 64);
        Duration timeout = config.timeout();
        // Reconnect soon after a server or failover comes back (Lettuce's default backs off to 30 s).
        this.resources = DefaultClientResources.builder().ioThreadPoolSize(Math.max(2, Math.min(n, 8)))
                .reconnectDelay(Delay.exponential(Duration.ofMillis(20), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
                .build();
        SocketOptions socket = SocketOptions.builder().connectTimeout(timeout).keepAlive(true).tcpNoDelay(true).build();
        SslOptions ssl = endpoint.trustedCa().map(ca -> SslOptions.builder().jdkSslProvider().trustManager(ca.toFile())
                .build()).orElseGet(SslOptions::create);
        try {
            if (endpoint.cluster()) {
                RedisClusterClient c = RedisClusterClient.create(resources, endpoint.nodes());
                // A failover moves slots: refresh the topology on MOVED/ASK and reconnect storms, and every 2 s.
                // Node connections open lazily, so commands wait for them (bounded by the queue and the
                // command timeout, after which they fail and G4 degrades) instead of being rejected.
                c.setOptions(ClusterClientOptions.builder().autoReconnect(true)
                        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS)
                        .requestQueueSize(REQUEST_QUEUE)
                        .timeoutOptions(TimeoutOptions.enabled(timeout)).socketOptions(socket).sslOptions(ssl).decodeBufferPolicy(DECODE_POLICY)
                        .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                                .enableAllAdaptiveRefreshTriggers().enablePeriodicRefresh(Duration.ofSeconds(2))
                                .adaptiveRefreshTriggersTimeout(Duration.ofMillis(500)).build())
                        .build());
                this.client = c;
                for (int i = 0; i < n; i++) {
                    StatefulRedisClusterConnection<String, BlockValue> conn = c.connect(BlockValueCodec.INSTANCE);
                    connections.add(conn);
                    commands.add(conn.async());
                }
            } else {
                RedisClient c = RedisClient.create(resources);
                // One server: while it is unreachable commands fail at once, so a lookup never waits for it.
                c.setOptions(ClientOptions.builder().autoReconnect(true)
                        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                        .requestQueueSize(REQUEST_QUEUE)
                        .timeoutOptions(TimeoutOptions.enabled(timeout)).socketOptions(socket).sslOptions(ssl).decodeBufferPolicy(DECODE_POLICY).build());
                this.client = c;
                for (int i = 0; i < n; i++) {
                    StatefulRedisConnection<String, BlockValue> conn = c.connect(BlockValueCodec.INSTANCE,
                            endpoint.nodes().getFirst());
                    connections.add(conn);
                    commands.add(conn.async());
                }
            }
        } catch (RuntimeException e) {
            close();
            throw new KvbmException(ErrorCode.IO_ERROR, "G4 " + endpoint.display() + " cannot be reached: " + e.getMessage(), e);
        }
        LOG.log(System.Logger.Level.INFO, () -> "G4 on " + endpoint.display() + ": " + n + " connection(s), keys "
                + namespace.key(0).replaceAll("[0-9a-f]+$", "<sequenceHash>"));
    }

    private RedisClusterAsyncCommands<String, BlockValue> commands() {
        if (isClosed()) {
            throw closedFailure();
        }
        return commands.get(Math.floorMod(next.getAndIncrement(), commands.size()));
    }

    /** Null when {@code pages} hold one block that Netty's threads may read and write, else the failure. */
    private KvbmException unusable(String what, List<MemorySegment> pages) {
        KvbmException size = wrongSize(what, pages);
        if (size != null) {
            return size;
        }
        for (MemorySegment page : pages) {
            if (!page.isAccessibleBy(ANY_THREAD)) {
                return KvbmException.invalid(what, "a segment confined to one thread",
                        "shared memory (a global or shared arena): Netty's event loop reads and writes it");
            }
        }
        return null;
    }

    @Override
    public CompletableFuture<Boolean> putIfAbsent(long sequenceHash, List<MemorySegment> payload) {
        KvbmException bad = unusable("payload", payload);
        if (bad != null) {
            return CompletableFuture.failedFuture(bad);
        }
        long length = namespace.blockBytes();
        // The checksum is taken now: if the bytes changed before Lettuce encoded them, readers refuse the value.
        BlockValue value = new BlockValue(RemoteValueFormat.header(namespace.fingerprint(), sequenceHash, length,
                RemoteValueFormat.payloadChecksum(payload)), payload, length);
        return guard("SET NX", () -> commands().set(namespace.key(sequenceHash), value, SetArgs.Builder.nx())
                .toCompletableFuture().thenApply(reply -> {
                    boolean written = "OK".equals(reply);
                    counters.put(written);
                    return written;
                }));
    }

    @Override
    public CompletableFuture<Boolean> get(long sequenceHash, List<MemorySegment> target) {
        KvbmException bad = unusable("target", target);
        if (bad != null) {
            return CompletableFuture.failedFuture(bad);
        }
        String key = namespace.key(sequenceHash);
        SegmentOutput output = new SegmentOutput(namespace, sequenceHash, target);
        CompletableFuture<Boolean> reply = guard("GET", () -> commands().dispatch(CommandType.GET, output,
                new CommandArgs<>(BlockValueCodec.INSTANCE).addKey(key)).toCompletableFuture());
        return reply.handle((hit, err) -> {
            output.seal(); // before anyone learns the outcome: a late reply must not write into reused memory
            if (err != null) {
                return CompletableFuture.<Boolean>failedFuture(err instanceof CompletionException ce && ce.getCause() != null
                        ? ce.getCause() : err);
            }
            if (Boolean.TRUE.equals(hit)) {
                counters.hit();
                return CompletableFuture.completedFuture(true);
            }
            if (output.refused() == null) {
                counters.miss();
                return CompletableFuture.completedFuture(false);
            }
            counters.checksumFailure();
            LOG.log(System.Logger.Level.WARNING, "G4 value " + key + " refused (" + output.refused()
                    + "): served as a miss and deleted so it can be written again");
            // Done before the miss is reported, so the caller's next write of the block is not refused by NX.
            return delete(sequenceHash).handle((v, e) -> false);
        }).thenCompose(f -> f);
    }

    @Override
    public CompletableFuture<boolean[]> contains(long[] sequenceHashes) {
        List<CompletableFuture<Long>> replies = new ArrayList<>(sequenceHashes.length);
        for (long h : sequenceHashes) {
            replies.add(guard("EXISTS", () -> commands().exists(namespace.key(h)).toCompletableFuture()));
        }
        return CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new)).thenApply(v -> {
            boolean[] present = new boolean[sequenceHashes.length];
            for (int i = 0; i < present.length; i++) {
                present[i] = replies.get(i).join() > 0;
            }
            return present;
        });
    }

    @Override
    public CompletableFuture<Void> delete(long sequenceHash) {
        return guard("DEL", () -> commands().del(namespace.key(sequenceHash)).toCompletableFuture()).thenApply(n -> null);
    }

    /** Runs a command; any failure (thrown or asynchronous) becomes a counted KvbmException naming the operation. */
    private <T> CompletableFuture<T> guard(String operation, java.util.function.Supplier<CompletableFuture<T>> call) {
        CompletableFuture<T> f;
        try {
            f = call.get();
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        return f.exceptionallyCompose(err -> {
            Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
            if (cause instanceof KvbmException k) {
                counters.error();
                return CompletableFuture.failedFuture(k);
            }
            return CompletableFuture.failedFuture(failure(operation, cause, cause instanceof RedisCommandTimeoutException));
        });
    }

    @Override
    protected void release() {
        for (StatefulConnection<String, BlockValue> c : connections) {
            try {
                c.close();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "closing a G4 connection: " + e);
            }
        }
        if (client != null) {
            client.shutdown(0, 2, TimeUnit.SECONDS);
        }
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
}
