package dev.kvbm.api.spi;

import java.util.Objects;
import java.util.Optional;

/** A worker's answer to {@code transfer_blocks}: success, or a failure with its reason. */
public record TransferOutcome(boolean ok, Optional<String> error) {
    public TransferOutcome {
        Objects.requireNonNull(error, "error");
    }

    public static TransferOutcome success() {
        return new TransferOutcome(true, Optional.empty());
    }

    public static TransferOutcome failure(String error) {
        return new TransferOutcome(false, Optional.of(error));
    }
}
