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

    @Override
    void close();
}
