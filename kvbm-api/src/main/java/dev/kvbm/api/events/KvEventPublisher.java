package dev.kvbm.api.events;

/**
 * Where kvbm's KV events go. {@link #offer} never blocks the manager: a batch that cannot be queued is
 * dropped and counted.
 */
public interface KvEventPublisher extends AutoCloseable {

    /** Queues {@code batch} for publishing; false (and {@link #dropped()} grows) when the queue is full. */
    boolean offer(KvEventBatch batch);

    /** Batches published so far (the next sequence number). */
    long published();

    /** The sequence number of the last published batch, -1 before the first. */
    default long lastSequence() {
        return published() - 1;
    }

    /** Batches that could not be published at all. */
    long dropped();

    /** Waits until every queued batch is published, at most {@code timeoutMillis}; false on time-out. */
    boolean flush(long timeoutMillis);

    @Override
    void close();
}
