package dev.kvbm.api.spi;

import dev.kvbm.api.Tier;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@code transfer_blocks} request: copy each pair's source block of {@code from} into its target block of
 * {@code to}. {@code connectorRequest} carries an engine connector's request opaquely (Dynamo's
 * {@code connector_req}, as its JSON text).
 */
public record TransferRequest(Tier from, Tier to, List<BlockPair> blocks, Optional<String> connectorRequest) {
    public TransferRequest {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        blocks = List.copyOf(blocks);
        Objects.requireNonNull(connectorRequest, "connectorRequest");
    }

    public TransferRequest(Tier from, Tier to, List<BlockPair> blocks) {
        this(from, to, blocks, Optional.empty());
    }
}
