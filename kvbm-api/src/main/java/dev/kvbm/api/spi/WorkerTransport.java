package dev.kvbm.api.spi;

import java.util.function.Function;

/**
 * A worker's side: receives the leader's broadcasts and answers each as its handler decides. A handler
 * that throws is counted and logged by the transport and never stops the receive loop.
 */
public interface WorkerTransport extends AutoCloseable {

    /** What a handler answers with. */
    sealed interface Answer {
        /** A bare acknowledgement. */
        record Ack() implements Answer {
        }

        /** A reply carrying a payload (metadata, a transfer outcome). */
        record Reply(byte[] payload) implements Answer {
        }

        /** No answer at all (a worker not ready yet ignores pings, for example). */
        record Silent() implements Answer {
        }
    }

    /** Starts receiving; {@code handler} runs once per well-formed message. */
    void start(Function<WorkerMessage, Answer> handler);

    /** How this transport encodes the protocol's messages. */
    ClusterCodec codec();

    /** Messages dropped as malformed so far. */
    long malformedMessages();

    @Override
    void close();
}
