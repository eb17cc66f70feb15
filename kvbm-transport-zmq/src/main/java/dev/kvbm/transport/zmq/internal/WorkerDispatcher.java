package dev.kvbm.transport.zmq.internal;

import dev.kvbm.api.spi.WorkerMessage;
import dev.kvbm.api.spi.WorkerTransport.Answer;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Turns the leader's frames into {@link WorkerMessage}s, runs the handler and sends its answer. The handler runs
 * on the calling (receive) thread: a ping or a copy between memory tiers is answered without waking another
 * thread, and a handler that starts long work elsewhere answers {@link Answer.Later}, which is sent from the
 * thread that completes it (Dynamo runs each handler as a detached task for the same reason: a long transfer
 * never delays a ping). Nothing a leader (or anyone reaching the socket) sends can stop it: malformed frames,
 * unknown functions and handler failures are counted and logged, and the next message is served.
 */
public final class WorkerDispatcher {
    private static final System.Logger LOG = System.getLogger(WorkerDispatcher.class.getName());

    private final Function<WorkerMessage, Answer> handler;
    private final Consumer<List<byte[]>> sender;
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong handled = new AtomicLong();

    /**
     * @param sender sends an answer's frames to the leader (thread-safe: a {@link Answer.Later} is sent from
     *               the thread that completes it)
     */
    public WorkerDispatcher(Function<WorkerMessage, Answer> handler, Consumer<List<byte[]>> sender) {
        this.handler = handler;
        this.sender = sender;
    }

    /** One multipart message as received; never throws. */
    public void onFrames(List<byte[]> frames) {
        WorkerMessage message;
        try {
            message = decode(frames);
        } catch (RuntimeException e) {
            Sockets.logRepeated(LOG, malformed.incrementAndGet(), "dropped a malformed message: " + e);
            return;
        }
        Answer answer;
        try {
            answer = handler.apply(message);
        } catch (RuntimeException e) {
            failed(message, e);
            return;
        }
        send(message, answer);
    }

    private void failed(WorkerMessage message, Throwable e) {
        Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
        Sockets.logRepeated(LOG, malformed.incrementAndGet(), "message " + message.id() + " (" + message.function()
                + ") failed in its handler: " + cause.getMessage());
    }

    private void send(WorkerMessage message, Answer answer) {
        if (answer instanceof Answer.Later later) {
            later.answer().whenComplete((a, error) -> {
                if (error != null || a == null) {
                    failed(message, error != null ? error : new IllegalStateException("a null answer"));
                } else {
                    send(message, a);
                }
            });
            return;
        }
        handled.incrementAndGet();
        byte[] id = Sockets.id(message.id());
        try {
            switch (answer) {
                case Answer.Ack a -> sender.accept(List.of(id));
                case Answer.Reply r -> sender.accept(List.of(id, message.function().getBytes(
                        java.nio.charset.StandardCharsets.UTF_8), r.payload()));
                case Answer.Silent s -> {
                    // no answer: a worker not ready yet lets the leader's ping round time out
                }
                case Answer.Later l -> throw new AssertionError("handled above");
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not answer message " + message.id() + ": " + e);
        }
    }

    /** {@code [8-byte big-endian id, UTF-8 function, data...]}; fails naming what is wrong. */
    static WorkerMessage decode(List<byte[]> frames) {
        if (frames == null || frames.size() < 2) {
            throw new IllegalArgumentException("a message needs at least an id and a function frame (got "
                    + (frames == null ? 0 : frames.size()) + " frame(s))");
        }
        for (byte[] f : frames) {
            if (f == null) { // Sockets.receive marks frames past the 64th so
                throw new IllegalArgumentException("more than 64 frames");
            }
        }
        byte[] id = frames.get(0);
        if (id.length != 8) {
            throw new IllegalArgumentException("the id frame must be 8 bytes (got " + id.length + ")");
        }
        byte[] fn = frames.get(1);
        if (fn.length == 0 || fn.length > 64) {
            throw new IllegalArgumentException("the function frame must be 1..64 bytes (got " + fn.length + ")");
        }
        String function = DynamoCodec.utf8("function", fn);
        return new WorkerMessage(Sockets.id(id), function, frames.subList(2, frames.size()));
    }

    public long malformedMessages() {
        return malformed.get();
    }

    public long handledMessages() {
        return handled.get();
    }
}
