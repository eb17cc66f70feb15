package dev.kvbm.transport.zmq;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.transport.zmq.internal.PayloadJson;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A worker's answer to {@code transfer_blocks}: {@code {"ok":true}} or {@code {"ok":false,"error":"..."}}
 * (the {@code TransferOutcome} of newer Dynamo; {@code error} omitted when absent).
 */
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

    public byte[] encode() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ok", ok);
        error.ifPresent(e -> m.put("error", e));
        return PayloadJson.write(m).getBytes(StandardCharsets.UTF_8);
    }

    public static TransferOutcome decode(byte[] payload) {
        if (!(PayloadJson.parse(BlockTransferRequest.utf8("outcome", payload)) instanceof Map<?, ?> m)) {
            throw KvbmException.forField(ErrorCode.PROTOCOL_ERROR, "outcome", "outcome must be a JSON object");
        }
        if (!(m.get("ok") instanceof Boolean ok)) {
            throw KvbmException.forField(ErrorCode.PROTOCOL_ERROR, "ok", "ok must be true or false (got " + m.get("ok") + ")");
        }
        Object e = m.get("error");
        if (e != null && e != PayloadJson.NULL && !(e instanceof String)) {
            throw KvbmException.forField(ErrorCode.PROTOCOL_ERROR, "error", "error must be a string (got " + e + ")");
        }
        return new TransferOutcome(ok, e instanceof String s ? Optional.of(s) : Optional.empty());
    }
}
