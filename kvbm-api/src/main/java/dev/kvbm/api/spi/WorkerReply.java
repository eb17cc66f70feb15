package dev.kvbm.api.spi;

import java.util.Optional;

/**
 * One worker's answer to a broadcast: a bare acknowledgement (no payload) or a reply with a payload.
 *
 * @param worker  the worker's identity as the transport knows it
 * @param payload the reply's payload, empty for a bare acknowledgement
 */
public record WorkerReply(String worker, Optional<byte[]> payload) {
}
