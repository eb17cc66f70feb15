package dev.kvbm.api.spi;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The leader's side: broadcast one message to every worker and wait for a reply from each.
 */
public interface LeaderTransport extends AutoCloseable {

    /**
     * Sends {@code function} with {@code data} frames to all workers under a fresh message id. The future
     * completes with one reply per distinct worker once all {@code worldSize} have answered, or fails with
     * {@code TIMEOUT} naming how many answered when {@code timeout} passes first.
     */
    CompletableFuture<List<WorkerReply>> broadcast(String function, List<byte[]> data, Duration timeout);

    int worldSize();

    /** The bound endpoint workers subscribe to (with the real port when the configured one was a wildcard). */
    String publishEndpoint();

    /** The bound endpoint workers answer to. */
    String ackEndpoint();

    /** How this transport encodes the protocol's messages. */
    ClusterCodec codec();

    /**
     * A count that grows whenever a worker (re)subscribes, for transports whose broadcasts a late subscriber
     * misses (ZeroMQ PUB): the leader then repeats a handshake round at once. Constant (the default) when the
     * transport cannot tell or delivers to late subscribers anyway.
     */
    default long subscriptions() {
        return 0;
    }

    @Override
    void close();
}
