package dev.kvbm.core.cluster.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.Tier;
import dev.kvbm.api.spi.WorkerReply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/** A distributed leader's G4: the frames, and how the workers' answers for their shards make one block's. */
class ClusterBlockIoTest {

    /** Workers that answer every request with the given answers, in order, recording what they were sent. */
    static class Workers implements BiFunction<String, byte[], CompletableFuture<List<WorkerReply>>> {
        final List<RemoteFrames.Blocks> requests = new ArrayList<>();
        final Map<String, RemoteFrames.Answer> answers;

        Workers(Map<String, RemoteFrames.Answer> answers) {
            this.answers = answers;
        }

        @Override
        public CompletableFuture<List<WorkerReply>> apply(String function, byte[] frame) {
            requests.add(RemoteFrames.decodeRequest(function, frame));
            List<WorkerReply> replies = new ArrayList<>();
            answers.forEach((w, a) -> replies.add(new WorkerReply(w, Optional.of(RemoteFrames.answer(a)))));
            return CompletableFuture.completedFuture(replies);
        }
    }

    /** Every block written by epoch 1, and what G4 reads records. */
    static final class Epochs implements ClusterBlockIo.Written {
        final List<int[]> recorded = new ArrayList<>();
        int stale = -1;

        @Override
        public int notWrittenIn(Tier tier, int[] blocks, int epoch) {
            return stale;
        }

        @Override
        public void written(Tier tier, int[] blocks, int epoch) {
            recorded.add(blocks.clone());
        }
    }

    static RemoteFrames.Answer ok(boolean... results) {
        return new RemoteFrames.Answer(results, 0, null);
    }

    static List<Boolean> join(List<CompletableFuture<Boolean>> futures) {
        return futures.stream().map(CompletableFuture::join).toList();
    }

    @Test
    void framesRoundTripAndMalformedOnesAreProtocolErrors() {
        long[] hashes = {0xF000_0000_0000_0001L, 2};
        RemoteFrames.Blocks b = RemoteFrames.decodeRequest("f", RemoteFrames.request(Tier.G2, hashes, new int[] {7, 9}));
        assertEquals(Tier.G2, b.tier());
        assertArrayEquals(hashes, b.hashes());
        assertArrayEquals(new int[] {7, 9}, b.blocks());
        assertEquals(null, RemoteFrames.decodeRequest("f", RemoteFrames.request(null, new long[0], null)).tier());
        RemoteFrames.Answer a = RemoteFrames.decodeAnswer("f", RemoteFrames.answer(new RemoteFrames.Answer(
                new boolean[] {true, false}, 3, null)));
        assertArrayEquals(new boolean[] {true, false}, a.results());
        assertEquals(3, a.checksumFailures());
        assertEquals("disk full", RemoteFrames.decodeAnswer("f", RemoteFrames.answer(RemoteFrames.Answer.failure(
                "disk full"))).error());
        byte[] truncated = java.util.Arrays.copyOf(RemoteFrames.request(Tier.G1, hashes, new int[] {1, 2}), 12);
        for (byte[] bad : List.of(new byte[0], truncated, new byte[] {9, 0, 0, 0, 0}, new byte[] {0, 0x7f, 0, 0, 0})) {
            KvbmException e = assertThrows(KvbmException.class, () -> RemoteFrames.decodeRequest("kvbm_g4_put", bad));
            assertEquals(ErrorCode.PROTOCOL_ERROR, e.code());
            assertTrue(e.getMessage().contains("kvbm_g4_put"), e.getMessage());
        }
        assertEquals(ErrorCode.PROTOCOL_ERROR, assertThrows(KvbmException.class,
                () -> RemoteFrames.decodeAnswer("f", new byte[] {0, 0, 0, 0, 5})).code());
    }

    @Test
    void aBlockIsWrittenWhenAnyShardWasAndAHitOrPresentOnlyWhenEveryShardIs() throws Exception {
        Workers workers = new Workers(Map.of("w0", ok(true, false, false), "w1", ok(false, false, true)));
        Epochs epochs = new Epochs();
        ClusterBlockIo io = new ClusterBlockIo(workers, epochs, () -> 1, Tier.G2, Tier.G2, "test");
        assertEquals(List.of(true, false, true), join(io.put(new long[] {1, 2, 3}, new int[] {4, 5, 6})));
        assertEquals(Tier.G2, workers.requests.getFirst().tier());
        assertArrayEquals(new int[] {4, 5, 6}, workers.requests.getFirst().blocks());
        assertEquals(2, io.stats().puts());
        assertEquals(1, io.stats().putsPresent());

        Workers reads = new Workers(Map.of("w0", ok(true, true, false), "w1", ok(true, false, false)));
        ClusterBlockIo io2 = new ClusterBlockIo(reads, epochs, () -> 1, Tier.G2, Tier.G2, "test");
        assertEquals(List.of(true, false, false), join(io2.get(new long[] {1, 2, 3}, new int[] {10, 11, 12})));
        assertArrayEquals(new int[] {10, 11, 12}, epochs.recorded.getFirst(), "what G4 read counts as written");
        assertEquals(1, io2.stats().hits());
        assertEquals(2, io2.stats().misses());
        assertArrayEquals(new boolean[] {true, false, false}, io2.contains(new long[] {1, 2, 3}).get());
    }

    @Test
    void anyWorkersFailureFailsTheBatchNamingIt() {
        Workers workers = new Workers(Map.of("w0", ok(true), "w1", RemoteFrames.Answer.failure("connection refused")));
        ClusterBlockIo io = new ClusterBlockIo(workers, new Epochs(), () -> 1, Tier.G2, Tier.G2, "test");
        ExecutionException e = assertThrows(ExecutionException.class, () -> io.put(new long[] {1}, new int[] {0})
                .getFirst().get());
        assertTrue(e.getCause().getMessage().contains("w1") && e.getCause().getMessage().contains("connection refused"),
                e.getCause().getMessage());
        assertEquals(1, io.stats().errors());
    }

    @Test
    void blocksARestartedWorkerLostAreNeverWrittenAndAReadAcrossARestartFails() {
        Workers workers = new Workers(Map.of("w0", ok(true)));
        Epochs epochs = new Epochs();
        epochs.stale = 5;
        ClusterBlockIo io = new ClusterBlockIo(workers, epochs, () -> 1, Tier.G2, Tier.G2, "test");
        ExecutionException e = assertThrows(ExecutionException.class, () -> io.put(new long[] {1}, new int[] {5})
                .getFirst().get());
        assertTrue(e.getCause().getMessage().contains("block 5 of G2"), e.getCause().getMessage());
        assertTrue(workers.requests.isEmpty(), "nothing was sent");

        AtomicInteger epoch = new AtomicInteger(1);
        Workers restarting = new Workers(Map.of("w0", ok(true))) {
            @Override
            public CompletableFuture<List<WorkerReply>> apply(String function, byte[] frame) {
                epoch.incrementAndGet(); // a worker rejoined while the read ran
                return super.apply(function, frame);
            }
        };
        Epochs none = new Epochs();
        ClusterBlockIo reads = new ClusterBlockIo(restarting, none, epoch::get, Tier.G2, Tier.G2, "test");
        assertThrows(ExecutionException.class, () -> reads.get(new long[] {1}, new int[] {3}).getFirst().get());
        assertTrue(none.recorded.isEmpty());
    }

    @Test
    void checkingTheWorkersNamesThoseWithoutG4() {
        Workers workers = new Workers(Map.of("w0", ok(), "w1", RemoteFrames.Answer.failure("this worker has no G4")));
        KvbmException e = assertThrows(KvbmException.class, () -> ClusterBlockIo.checkWorkers(workers, Duration.ofSeconds(1)));
        assertEquals(ErrorCode.INVALID_CONFIG, e.code());
        assertTrue(e.getMessage().contains("w1 (this worker has no G4)") && !e.getMessage().contains("w0"), e.getMessage());
        ClusterBlockIo.checkWorkers(new Workers(Map.of("w0", ok(), "w1", ok())), Duration.ofSeconds(1));
    }
}
