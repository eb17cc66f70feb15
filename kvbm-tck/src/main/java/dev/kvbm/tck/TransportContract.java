package dev.kvbm.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.LeaderTransport;
import dev.kvbm.api.spi.ProbedProvider;
import dev.kvbm.api.spi.TransportConfig;
import dev.kvbm.api.spi.TransportProvider;
import dev.kvbm.api.spi.WorkerMessage;
import dev.kvbm.api.spi.WorkerReply;
import dev.kvbm.api.spi.WorkerTransport.Answer;
import dev.kvbm.api.spi.WorkerTransport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What every {@link TransportProvider} must do over {@link LeaderTransport} and {@link WorkerTransport}: a
 * broadcast reaches every worker with its function and data frames intact and completes with one reply per
 * worker (payloads and bare acknowledgements); a worker that stays silent makes the broadcast fail with
 * {@code TIMEOUT} within its timeout; a handler that throws does not stop the worker; a {@code Later} answer is
 * sent once it completes and delays no other message (and a failed one sends nothing); malformed frames are
 * counted and survived; close is idempotent and fails what is pending.
 *
 * <p>Subclasses supply the provider and a {@link #config(int)} with fresh endpoints for each call; a transport
 * that can put raw frames on the wire implements {@link #sendMalformed} and keeps {@link Behavior#RAW_FRAMES}.
 * Subscriptions are asynchronous in many transports (a publisher drops what it sends before a subscriber has
 * joined), so the contract retries a first broadcast with short timeouts until the workers answer, as a
 * leader's handshake does, and bounds the whole wait by {@link #joinTimeout()}.
 */
public abstract class TransportContract {

    private final List<AutoCloseable> opened = new ArrayList<>();

    /** The provider under test. */
    protected abstract TransportProvider createProvider();

    /** A configuration for {@code worldSize} workers on endpoints no other test uses. */
    protected abstract TransportConfig config(int worldSize);

    /**
     * Puts malformed frames on the wire to workers of {@code config}, with no leader open (the subclass binds
     * what the leader would); called only when {@link #hasBehavior} says {@link Behavior#RAW_FRAMES}. Returns
     * after they were sent; the contract then checks the worker counted them.
     */
    protected void sendMalformed(TransportConfig config) {
        throw new UnsupportedOperationException("sendMalformed is needed for " + Behavior.RAW_FRAMES);
    }

    /** Whether the module supports {@code behavior}; everything but {@link Behavior#RAW_FRAMES} by default. */
    protected boolean hasBehavior(Behavior behavior) {
        return behavior != Behavior.RAW_FRAMES;
    }

    /** How long workers may take to join (connect and subscribe). */
    protected Duration joinTimeout() {
        return Duration.ofSeconds(20);
    }

    @AfterEach
    void closeContractResources() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
        opened.clear();
    }

    private LeaderTransport leader(TransportProvider p, TransportConfig c) {
        LeaderTransport l = p.openLeader(c);
        opened.add(l);
        return l;
    }

    private WorkerTransport worker(TransportProvider p, TransportConfig c, Function<WorkerMessage, Answer> handler) {
        WorkerTransport w = p.openWorker(c);
        opened.add(w);
        w.start(handler);
        return w;
    }

    /** Broadcasts {@code ping} with short timeouts until every worker answered once, or fails after {@link #joinTimeout()}. */
    private void awaitJoined(LeaderTransport leader) {
        long deadline = System.nanoTime() + joinTimeout().toNanos();
        Throwable last = null;
        while (System.nanoTime() < deadline) {
            try {
                Waits.await(leader.broadcast("ping", List.of(), Duration.ofMillis(300)), Duration.ofSeconds(5), "ping");
                return;
            } catch (KvbmException e) {
                last = e;
            }
        }
        throw new AssertionError("workers did not all answer a ping within " + joinTimeout().toMillis() + " ms", last);
    }

    private static Answer answerPings(WorkerMessage m, Function<WorkerMessage, Answer> otherwise) {
        return m.function().equals("ping") ? new Answer.Ack() : otherwise.apply(m);
    }

    @Test
    void theProviderDescribesItself() {
        TransportProvider p = createProvider();
        assertTrue(ProbedProvider.NAME.matcher(p.name()).matches(), "'" + p.name() + "' is not a lower-case name");
        assertEquals(p.name(), createProvider().name(), "two instances disagree on the name");
        assertFalse(p.description().isBlank(), "description() is blank");
        assertEquals(!p.isAvailable(), p.unavailabilityCause().isPresent(), "a cause exactly when unavailable");
    }

    @Test
    void aBroadcastReachesEveryWorkerAndEveryReplyComesBack() {
        TransportProvider p = createProvider();
        TierProviderContract.assumeAvailable(p);
        TransportConfig c = config(2);
        LeaderTransport leader = leader(p, c);
        assertEquals(2, leader.worldSize());
        List<String> seen = java.util.Collections.synchronizedList(new ArrayList<>());
        for (String name : List.of("w0", "w1")) {
            worker(p, c, m -> answerPings(m, msg -> {
                seen.add(name + ":" + msg.function() + ":" + msg.data().size());
                if (!msg.function().equals("echo")) {
                    return new Answer.Ack();
                }
                return new Answer.Reply((name + "/" + new String(msg.data().get(1), StandardCharsets.UTF_8))
                        .getBytes(StandardCharsets.UTF_8));
            }));
        }
        awaitJoined(leader);
        byte[] binary = {0, 1, 2, (byte) 0xff};
        List<WorkerReply> replies = Waits.await(leader.broadcast("echo", List.of(binary, "hello".getBytes(StandardCharsets.UTF_8)),
                Duration.ofSeconds(10)), Duration.ofSeconds(15), "echo");
        assertEquals(2, replies.size(), "one reply per worker");
        Set<String> payloads = new TreeSet<>();
        Set<String> workers = new TreeSet<>();
        for (WorkerReply r : replies) {
            workers.add(r.worker());
            payloads.add(new String(r.payload().orElseThrow(), StandardCharsets.UTF_8));
        }
        assertEquals(2, workers.size(), "replies must come from distinct workers: " + workers);
        assertEquals(Set.of("w0/hello", "w1/hello"), payloads);
        assertEquals(List.of("w0:echo:2", "w1:echo:2"), seen.stream().sorted().toList(), "each worker sees the message once");
        List<WorkerReply> acks = Waits.await(leader.broadcast("note", List.of(binary), Duration.ofSeconds(10)),
                Duration.ofSeconds(15), "note");
        assertEquals(2, acks.size());
        assertEquals(4, seen.size(), "each worker sees each message once: " + seen);
        acks.forEach(r -> assertTrue(r.payload().isEmpty(), "a bare acknowledgement carries no payload"));
    }

    @Test
    void dataFramesArriveUnchanged() {
        TransportProvider p = createProvider();
        TierProviderContract.assumeAvailable(p);
        TransportConfig c = config(1);
        LeaderTransport leader = leader(p, c);
        CompletableFuture<WorkerMessage> got = new CompletableFuture<>();
        worker(p, c, m -> answerPings(m, msg -> {
            got.complete(msg);
            return new Answer.Ack();
        }));
        awaitJoined(leader);
        byte[] big = new byte[256 * 1024];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31 + 7);
        }
        Waits.await(leader.broadcast("frames", List.of(new byte[0], big), Duration.ofSeconds(10)),
                Duration.ofSeconds(15), "frames");
        WorkerMessage m = Waits.await(got, Duration.ofSeconds(5), "the worker's message");
        assertEquals("frames", m.function());
        assertEquals(2, m.data().size());
        assertEquals(0, m.data().get(0).length, "an empty frame");
        assertArrayEquals(big, m.data().get(1), "a 256 KiB frame");
    }

    @Test
    void aSilentWorkerMakesTheBroadcastTimeOut() {
        TransportProvider p = createProvider();
        TierProviderContract.assumeAvailable(p);
        TransportConfig c = config(2);
        LeaderTransport leader = leader(p, c);
        worker(p, c, m -> new Answer.Ack());
        worker(p, c, m -> answerPings(m, msg -> new Answer.Silent()));
        awaitJoined(leader);
        long start = System.nanoTime();
        Throwable t = Waits.failureOf(() -> leader.broadcast("quiet", List.of(), Duration.ofMillis(500)),
                Duration.ofSeconds(10), "a broadcast one worker never answers");
        assertInstanceOf(KvbmException.class, t);
        assertEquals(ErrorCode.TIMEOUT, ((KvbmException) t).code(), t.getMessage());
        assertTrue(System.nanoTime() - start >= Duration.ofMillis(450).toNanos(), "it timed out before its timeout");
    }

    @Test
    void aHandlerThatThrowsDoesNotStopTheWorker() {
        TransportProvider p = createProvider();
        TierProviderContract.assumeAvailable(p);
        TransportConfig c = config(1);
        LeaderTransport leader = leader(p, c);
        AtomicInteger calls = new AtomicInteger();
        worker(p, c, m -> answerPings(m, msg -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("a handler bug the transport must survive");
            }
            return new Answer.Reply(new byte[] {42});
        }));
        awaitJoined(leader);
        Throwable first = Waits.failureOf(() -> leader.broadcast("boom", List.of(), Duration.ofMillis(500)),
                Duration.ofSeconds(10), "a broadcast whose handler throws");
        assertInstanceOf(KvbmException.class, first);
        List<WorkerReply> after = Waits.await(leader.broadcast("again", List.of(), Duration.ofSeconds(10)),
                Duration.ofSeconds(15), "a broadcast after the handler threw");
        assertArrayEquals(new byte[] {42}, after.getFirst().payload().orElseThrow());
    }

    @Tag("fault")
    @Test
    void aLaterAnswerIsSentWhenItCompletesAndPendingItDelaysNothing() {
        TransportProvider p = createProvider();
        TierProviderContract.assumeAvailable(p);
        TransportConfig c = config(1);
        LeaderTransport leader = leader(p, c);
        CompletableFuture<Answer> slow = new CompletableFuture<>();
        worker(p, c, m -> answerPings(m, msg -> switch (msg.function()) {
            case "slow" -> new Answer.Later(slow);
            case "failing" -> new Answer.Later(CompletableFuture.failedFuture(new IllegalStateException("late failure")));
            default -> new Answer.Reply(new byte[] {7});
        }));
        awaitJoined(leader);
        CompletableFuture<List<WorkerReply>> pending = leader.broadcast("slow", List.of(), Duration.ofSeconds(30));
        // the worker answers other messages while the later answer is pending
        List<WorkerReply> other = Waits.await(leader.broadcast("other", List.of(), Duration.ofSeconds(10)),
                Duration.ofSeconds(15), "a broadcast while a later answer is pending");
        assertArrayEquals(new byte[] {7}, other.getFirst().payload().orElseThrow());
        assertFalse(pending.isDone(), "the later answer was sent before it completed");
        Thread.ofPlatform().start(() -> slow.complete(new Answer.Reply(new byte[] {9})));
        List<WorkerReply> late = Waits.await(pending, Duration.ofSeconds(15), "the later answer");
        assertArrayEquals(new byte[] {9}, late.getFirst().payload().orElseThrow());
        Throwable failed = Waits.failureOf(() -> leader.broadcast("failing", List.of(), Duration.ofMillis(500)),
                Duration.ofSeconds(10), "a broadcast whose later answer fails");
        assertInstanceOf(KvbmException.class, failed, "a failed later answer sends nothing: the round times out");
    }

    @Test
    void malformedFramesAreCountedAndSurvived() {
        assumeTrue(hasBehavior(Behavior.RAW_FRAMES), "the transport cannot send raw frames (no " + Behavior.RAW_FRAMES + ")");
        TransportProvider p = createProvider();
        TierProviderContract.assumeAvailable(p);
        TransportConfig c = config(1);
        AtomicInteger handled = new AtomicInteger();
        WorkerTransport w = worker(p, c, m -> {
            handled.incrementAndGet();
            return new Answer.Ack();
        });
        long deadline = System.nanoTime() + joinTimeout().toNanos();
        while (w.malformedMessages() == 0 && System.nanoTime() < deadline) {
            sendMalformed(c); // retried: the worker may not have subscribed to the first ones
        }
        assertTrue(w.malformedMessages() > 0, "malformed frames were not counted within " + joinTimeout().toMillis() + " ms");
        assertEquals(0, handled.get(), "a malformed message reached the handler");
        LeaderTransport leader = leader(p, c);
        awaitJoined(leader);
        assertTrue(handled.get() > 0, "the worker stopped handling after malformed frames");
    }

    @Test
    void closeIsIdempotentAndFailsWhatIsPending() {
        TransportProvider p = createProvider();
        TierProviderContract.assumeAvailable(p);
        TransportConfig c = config(2);
        LeaderTransport leader = p.openLeader(c);
        WorkerTransport w = worker(p, c, m -> new Answer.Ack());
        CompletableFuture<List<WorkerReply>> pending = leader.broadcast("never", List.of(), Duration.ofSeconds(60));
        leader.close();
        Throwable t = Waits.failureOf(() -> pending, Duration.ofSeconds(5), "a broadcast pending at close");
        assertInstanceOf(KvbmException.class, t);
        assertDoesNotThrow(leader::close, "a second close of the leader");
        Throwable after = Waits.failureOf(() -> leader.broadcast("late", List.of(), Duration.ofSeconds(1)),
                Duration.ofSeconds(5), "a broadcast on a closed leader");
        assertInstanceOf(KvbmException.class, after);
        w.close();
        assertDoesNotThrow(w::close, "a second close of the worker");
    }
}
