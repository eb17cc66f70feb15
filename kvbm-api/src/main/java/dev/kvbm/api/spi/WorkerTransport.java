package dev.kvbm.api.spi;

import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * A worker's side: receives the leader's broadcasts and answers each as its handler decides. The handler runs
 * on the transport's receive thread, so a cheap answer (a ping, a copy between memory tiers) costs no thread
 * hand-off; work that may take long (disk or remote I/O) is started elsewhere and answered {@link Answer.Later},
 * so it never delays the next message. A handler that throws is counted and logged by the transport and never
 * stops the receive loop.
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

        /**
         * The answer once {@code answer} completes (sent from the thread that completes it); one that
         * completes exceptionally is counted and logged like a handler that threw, and nothing is sent.
         */
        record Later(CompletionStage<Answer> answer) implements Answer {
        }
    }

    /** Starts receiving; {@code handler} runs once per well-formed message, on the receive thread. */
    void start(Function<WorkerMessage, Answer> handler);

    /** How this transport encodes the protocol's messages. */
    ClusterCodec codec();

    /** Messages dropped as malformed so far. */
    long malformedMessages();

    @Override
    void close();
}
