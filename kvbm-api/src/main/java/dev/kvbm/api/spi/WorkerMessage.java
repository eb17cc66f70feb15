package dev.kvbm.api.spi;

import java.util.List;

/** A message a worker received: the leader's id for it, the function name and its data frames. */
public record WorkerMessage(long id, String function, List<byte[]> data) {
    public WorkerMessage {
        data = List.copyOf(data);
    }
}
