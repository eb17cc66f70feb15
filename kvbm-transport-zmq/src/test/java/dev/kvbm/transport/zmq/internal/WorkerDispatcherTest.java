package dev.kvbm.transport.zmq.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.Tier;
import dev.kvbm.api.config.ConfigKeys;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.spi.BlockPair;
import dev.kvbm.api.spi.LeaderMetadata;
import dev.kvbm.api.spi.TransferRequest;
import dev.kvbm.api.spi.WorkerMessage;
import dev.kvbm.api.spi.WorkerTransport.Answer;
import dev.kvbm.core.cluster.Worker;
import dev.kvbm.core.cluster.WorkerSpec;
import dev.kvbm.core.providers.ProviderRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which thread runs the handler and which sends a later answer; which of a worker's answers come later. */
class WorkerDispatcherTest {

    @Test
    void aWorkerAnswersMemoryCopiesAtOnceAndDiskCopiesLater(@TempDir Path cache) throws Exception {
        Worker worker = Worker.detached(new WorkerSpec(new LayoutConfig(8, 1, 2, 2, 4, 1, 2), LayoutType.FULLY_CONTIGUOUS,
                Map.of("kvbm.host.mlock", "false", ConfigKeys.DISK_CACHE_DIR, cache.toString()), Duration.ofSeconds(5)),
                ProviderRegistry.load(), DynamoCodec.INSTANCE);
        try {
            worker.handle(new WorkerMessage(1, "leader_metadata", List.of(DynamoCodec.INSTANCE.encodeLeaderMetadata(
                    new LeaderMetadata(4, 4)))));
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!worker.isReady() && System.nanoTime() < end) {
                Thread.sleep(5);
            }
            assertTrue(worker.isReady(), "allocated: " + worker.allocationError());
            assertInstanceOf(Answer.Ack.class, worker.handle(new WorkerMessage(2, "ping", List.of())));
            Answer memory = worker.handle(transfer(3, Tier.G1, Tier.G2));
            assertTrue(DynamoCodec.INSTANCE.decodeOutcome(assertInstanceOf(Answer.Reply.class, memory).payload()).ok());
            for (Tier[] path : new Tier[][] {{Tier.G2, Tier.G3}, {Tier.G3, Tier.G1}}) {
                Answer disk = worker.handle(transfer(4, path[0], path[1]));
                Answer done = assertInstanceOf(Answer.Later.class, disk, path[0] + " -> " + path[1])
                        .answer().toCompletableFuture().get(20, TimeUnit.SECONDS);
                assertTrue(DynamoCodec.INSTANCE.decodeOutcome(assertInstanceOf(Answer.Reply.class, done).payload()).ok(),
                        path[0] + " -> " + path[1]);
            }
        } finally {
            worker.close();
        }
    }

    private static WorkerMessage transfer(long id, Tier from, Tier to) {
        return new WorkerMessage(id, "transfer_blocks", List.of(DynamoCodec.INSTANCE.encodeTransfer(
                new TransferRequest(from, to, List.of(new BlockPair(0, 1), new BlockPair(2, 3))))));
    }

    private static List<byte[]> message(long id, String function) {
        return List.of(Sockets.id(id), function.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theHandlerRunsAndAnswersOnTheReceivingThread() {
        AtomicReference<Thread> handledOn = new AtomicReference<>();
        List<Thread> sentOn = new CopyOnWriteArrayList<>();
        WorkerDispatcher d = new WorkerDispatcher(m -> {
            handledOn.set(Thread.currentThread());
            return new Answer.Ack();
        }, frames -> sentOn.add(Thread.currentThread()));
        d.onFrames(message(1, "ping"));
        assertSame(Thread.currentThread(), handledOn.get(), "no hand-off to another thread");
        assertEquals(List.of(Thread.currentThread()), sentOn, "the ACK was sent before onFrames returned");
        assertEquals(1, d.handledMessages());
    }

    @Test
    void aLaterAnswerIsSentByTheThreadThatCompletesItAndAFailedOneIsCounted() throws Exception {
        CompletableFuture<Answer> later = new CompletableFuture<>();
        List<List<byte[]>> sent = new CopyOnWriteArrayList<>();
        List<Thread> sentOn = new CopyOnWriteArrayList<>();
        WorkerDispatcher d = new WorkerDispatcher(m -> m.function().equals("slow") ? new Answer.Later(later)
                : new Answer.Later(CompletableFuture.failedFuture(new IllegalStateException("disk gone"))), frames -> {
                    sent.add(frames);
                    sentOn.add(Thread.currentThread());
                });
        d.onFrames(message(5, "slow"));
        assertTrue(sent.isEmpty(), "nothing is sent before the answer completes");
        Thread completer = Thread.ofPlatform().start(() -> later.complete(new Answer.Reply(new byte[] {1, 2})));
        completer.join();
        assertEquals(1, sent.size());
        assertSame(completer, sentOn.getFirst());
        assertEquals(3, sent.getFirst().size(), "[id, function, payload]");
        assertEquals(5, Sockets.id(sent.getFirst().get(0)));
        assertArrayEquals(new byte[] {1, 2}, sent.getFirst().get(2));

        d.onFrames(message(6, "failing"));
        assertEquals(1, sent.size(), "a failed later answer sends nothing");
        assertEquals(1, d.malformedMessages(), "and is counted like a handler that threw");
        assertEquals(1, d.handledMessages());
    }
}
