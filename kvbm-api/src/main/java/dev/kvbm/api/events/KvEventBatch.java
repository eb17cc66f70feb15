package dev.kvbm.api.events;

import java.util.List;

/**
 * Events published together (one request's, or one offload batch's), in order.
 *
 * @param timestamp        seconds since the epoch when the batch was made
 * @param dataParallelRank the publisher's data-parallel rank
 */
public record KvEventBatch(double timestamp, List<KvEvent> events, int dataParallelRank) {
    public KvEventBatch {
        events = List.copyOf(events);
    }
}
