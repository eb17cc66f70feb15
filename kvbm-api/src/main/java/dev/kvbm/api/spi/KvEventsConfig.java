package dev.kvbm.api.spi;

import dev.kvbm.api.KvbmException;
import java.util.Objects;
import java.util.Optional;

/**
 * Where and how KV events are published.
 *
 * @param endpoint         the PUB endpoint, e.g. {@code tcp://127.0.0.1:5557}
 * @param replayEndpoint   the ROUTER endpoint that serves missed batches, if any
 * @param topic            the topic frame of every message (vLLM's default: empty)
 * @param replayBatches    batches kept for replay, 1..10,000,000 (vLLM keeps 10,000)
 * @param queueBatches     batches queued before new ones are dropped, 1..10,000,000
 * @param dataParallelRank written into every batch
 * @param allowNonLoopback whether endpoints off the loopback interface may be bound
 */
public record KvEventsConfig(String endpoint, Optional<String> replayEndpoint, String topic, int replayBatches,
                             int queueBatches, int dataParallelRank, boolean allowNonLoopback) {
    public static final int DEFAULT_REPLAY_BATCHES = 10_000;
    public static final int DEFAULT_QUEUE_BATCHES = 100_000;

    public KvEventsConfig {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(replayEndpoint, "replayEndpoint");
        Objects.requireNonNull(topic, "topic");
        if (replayBatches < 1 || replayBatches > 10_000_000) {
            throw KvbmException.invalid("replayBatches", replayBatches, "in 1..10000000");
        }
        if (queueBatches < 1 || queueBatches > 10_000_000) {
            throw KvbmException.invalid("queueBatches", queueBatches, "in 1..10000000");
        }
        if (dataParallelRank < 0) {
            throw KvbmException.invalid("dataParallelRank", dataParallelRank, ">= 0");
        }
    }

    public KvEventsConfig(String endpoint, Optional<String> replayEndpoint) {
        this(endpoint, replayEndpoint, "", DEFAULT_REPLAY_BATCHES, DEFAULT_QUEUE_BATCHES, 0, false);
    }
}
