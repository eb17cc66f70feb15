package dev.kvbm.transport.zmq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.Tier;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.spi.BlockPair;
import dev.kvbm.api.spi.TransportConfig;
import dev.kvbm.api.spi.WorkerMessage;
import dev.kvbm.api.spi.WorkerReply;
import dev.kvbm.api.spi.TransferOutcome;
import dev.kvbm.api.spi.TransferRequest;
import dev.kvbm.api.spi.WorkerMetadata;
import dev.kvbm.core.cluster.ClusterReady;
import dev.kvbm.core.cluster.Leader;
import dev.kvbm.core.cluster.LeaderSettings;
import dev.kvbm.core.cluster.Sizing;
import dev.kvbm.core.cluster.Worker;
import dev.kvbm.core.cluster.WorkerSpec;
import dev.kvbm.core.providers.ProviderRegistry;
import dev.kvbm.transport.zmq.internal.PayloadJson;
import dev.kvbm.transport.zmq.internal.DynamoCodec;
import dev.kvbm.transport.zmq.internal.ZmqLeaderTransport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/** A leader and workers in one JVM over loopback TCP (ports picked by the OS). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LeaderWorkerTest {
    static final String ANY = "tcp://127.0.0.1:*";
    static final ProviderRegistry REGISTRY = ProviderRegistry.load();
    static final Map<String, String> TIER_OPTIONS = Map.of("kvbm.host.mlock", "false");

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private <T extends AutoCloseable> T track(T c) {
        open.add(c);
        return c;
    }

    static LayoutConfig geometry(int blocks) {
        return new LayoutConfig(blocks, 2, 2, 4, 8, 1, 2); // 256 bytes per block
    }

    private Leader leader(int workers, long hostBlocks, Map<String, String> options, Duration init) {
        return leader(workers, hostBlocks, 0, options, init);
    }

    private Leader leader(int workers, long hostBlocks, long diskBlocks, Map<String, String> options, Duration init) {
        TransportConfig config = new TransportConfig(ANY, ANY.replace("127.0.0.1", "localhost"), workers, init, options);
        LeaderSettings s = new LeaderSettings(init, Duration.ofSeconds(5), Duration.ofMillis(300),
                new Sizing(hostBlocks, 0, diskBlocks, 0));
        return track(Leader.start(config, s, REGISTRY));
    }

    private Worker worker(Leader leader, int deviceBlocks, LayoutType layout, Map<String, String> options) {
        TransportConfig config = new TransportConfig(leader.publishEndpoint(), leader.ackEndpoint(), 1,
                Duration.ofSeconds(10), options);
        return track(Worker.start(config, new WorkerSpec(geometry(deviceBlocks), layout, TIER_OPTIONS,
                Duration.ofSeconds(10)), REGISTRY));
    }

    private Worker worker(Leader leader, WorkerSpec spec) {
        TransportConfig config = new TransportConfig(leader.publishEndpoint(), leader.ackEndpoint(), 1,
                Duration.ofSeconds(10), Map.of());
        return track(Worker.start(config, spec, REGISTRY));
    }

    @Test
    void replicatedModeOnboardsEveryRankFromRank0sHostMemory(@TempDir Path dir) throws Exception {
        Leader leader = leader(2, 16, Map.of(), Duration.ofSeconds(20));
        WorkerSpec spec = new WorkerSpec(geometry(12), LayoutType.FULLY_CONTIGUOUS, TIER_OPTIONS, Duration.ofSeconds(10));
        // a region left by a killed rank 0 (a pid that is not running) is removed when rank 0 allocates
        Path orphan = dir.resolve("kvbm-" + leader.publishEndpoint().replaceAll("[^A-Za-z0-9]+", "_") + "-g2-4194300-1.shm");
        java.nio.file.Files.writeString(orphan, "stale");
        worker(leader, spec.replicated(0, dir));
        Worker follower = worker(leader, spec.replicated(1, dir));
        leader.awaitReady(Duration.ofSeconds(20));
        try (var files = java.nio.file.Files.list(dir)) {
            assertEquals(1, files.filter(f -> f.toString().endsWith(".shm")).count(), "one G2, rank 0's");
        }
        assertFalse(java.nio.file.Files.exists(orphan), "the orphan was removed");
        assertEquals(java.util.Set.of(Tier.G1, Tier.G2), follower.tiers());
        leader.call("kvbm_fill", List.of(json("{\"pool\":\"Device\",\"blocks\":[0,1],\"seed\":5}")), Duration.ofSeconds(5)).join();
        Map<String, List<Long>> source = checksums(leader, "Device", List.of(0, 1));
        assertEquals(1, new java.util.HashSet<>(source.values()).size(), "replicated: every rank computed the same KV");
        leader.move(Tier.G1, Tier.G2, List.of(new BlockPair(0, 10), new BlockPair(1, 11))).join(); // rank 0 writes
        Map<String, List<Long>> empty = checksums(leader, "Device", List.of(8, 9));
        leader.move(Tier.G2, Tier.G1, List.of(new BlockPair(10, 8), new BlockPair(11, 9))).join();
        Map<String, List<Long>> onboarded = checksums(leader, "Device", List.of(8, 9));
        for (String w : onboarded.keySet()) {
            assertEquals(source.get(w), onboarded.get(w), "rank " + w + " onboarded rank 0's bytes");
            assertNotEquals(empty.get(w), onboarded.get(w));
        }
    }

    /** Replicated workers whose disk tier puts rank 0's G3 files in a fresh directory under target/. */
    private WorkerSpec replicatedWithDisk() throws java.io.IOException {
        Path cache = java.nio.file.Files.createTempDirectory(java.nio.file.Files.createDirectories(Path.of("target",
                "replicated-g3")), "cache-");
        Map<String, String> options = new java.util.HashMap<>(TIER_OPTIONS);
        options.put(dev.kvbm.api.config.ConfigKeys.DISK_CACHE_DIR, cache.toAbsolutePath().toString());
        return new WorkerSpec(geometry(12), LayoutType.FULLY_CONTIGUOUS, options, Duration.ofSeconds(10));
    }

    @Test
    void replicatedModeOnboardsEveryRankFromRank0sDiskFiles(@TempDir Path dir) throws Exception {
        Leader leader = leader(2, 16, 8, Map.of(), Duration.ofSeconds(20));
        WorkerSpec spec = replicatedWithDisk();
        Worker rank0 = worker(leader, spec.replicated(0, dir));
        Worker follower = worker(leader, spec.replicated(1, dir));
        leader.awaitReady(Duration.ofSeconds(20));
        assertEquals(java.util.Set.of(Tier.G1, Tier.G2, Tier.G3), rank0.tiers());
        assertEquals(java.util.Set.of(Tier.G1, Tier.G2, Tier.G3), follower.tiers());
        leader.call("kvbm_fill", List.of(json("{\"pool\":\"Device\",\"blocks\":[0,1],\"seed\":7}")), Duration.ofSeconds(5)).join();
        Map<String, List<Long>> source = checksums(leader, "Device", List.of(0, 1));
        assertEquals(2, source.size());
        assertEquals(1, new java.util.HashSet<>(source.values()).size(), "replicated: every rank computed the same KV");
        // rank 0 offloads G1 -> G2 -> G3; then G2 is overwritten so only G3 still holds the bytes
        leader.move(Tier.G1, Tier.G2, List.of(new BlockPair(0, 10), new BlockPair(1, 11))).join();
        leader.move(Tier.G2, Tier.G3, List.of(new BlockPair(10, 3), new BlockPair(11, 5))).join();
        leader.move(Tier.G1, Tier.G2, List.of(new BlockPair(2, 10), new BlockPair(3, 11))).join();
        Map<String, List<Long>> empty = checksums(leader, "Device", List.of(8, 9));
        leader.move(Tier.G3, Tier.G1, List.of(new BlockPair(3, 8), new BlockPair(5, 9))).join();
        Map<String, List<Long>> onboarded = checksums(leader, "Device", List.of(8, 9));
        assertEquals(source.keySet(), onboarded.keySet());
        for (String w : onboarded.keySet()) {
            assertEquals(source.get(w), onboarded.get(w), "rank " + w + " onboarded rank 0's G3 bytes");
            assertNotEquals(empty.get(w), onboarded.get(w));
        }
    }

    @Test
    void aFollowerRefusesG3OnceRank0sFilesAreReplacedOrGone(@TempDir Path dir) throws Exception {
        Leader leader = leader(2, 16, 8, Map.of(), Duration.ofSeconds(20));
        WorkerSpec spec = replicatedWithDisk();
        Worker rank0 = worker(leader, spec.replicated(0, dir));
        Worker follower = worker(leader, spec.replicated(1, dir));
        leader.awaitReady(Duration.ofSeconds(20));
        leader.call("kvbm_fill", List.of(json("{\"pool\":\"Device\",\"blocks\":[0],\"seed\":3}")), Duration.ofSeconds(5)).join();
        leader.move(Tier.G1, Tier.G2, List.of(new BlockPair(0, 0))).join();
        leader.move(Tier.G2, Tier.G3, List.of(new BlockPair(0, 0))).join();
        WorkerMessage onboard = new WorkerMessage(1, "transfer_blocks", List.of(DynamoCodec.INSTANCE.encodeTransfer(
                new TransferRequest(Tier.G3, Tier.G1, List.of(new BlockPair(0, 6))))));
        assertTrue(outcome(follower, onboard).ok(), "rank 0's files as published");

        // the file under rank 0's published name is another one now (same bytes, new inode)
        Path file = Path.of(java.nio.file.Files.readAllLines(dir.resolve("kvbm-"
                + leader.publishEndpoint().replaceAll("[^A-Za-z0-9]+", "_") + "-g3.current")).stream()
                .filter(l -> l.startsWith("file.0=")).findFirst().orElseThrow().substring("file.0=".length()));
        Path copy = file.resolveSibling("copy.tmp");
        java.nio.file.Files.copy(file, copy);
        java.nio.file.Files.move(copy, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        TransferOutcome replaced = outcome(follower, onboard);
        assertFalse(replaced.ok());
        assertTrue(replaced.error().orElseThrow().contains("refused") && replaced.error().orElseThrow().contains("was replaced"),
                replaced.error().orElseThrow());

        rank0.close(); // rank 0 is gone: its G3 is withdrawn and its files unlinked
        TransferOutcome gone = outcome(follower, onboard);
        assertFalse(gone.ok());
        assertTrue(gone.error().orElseThrow().contains("G3 -> G1 on rank 1 refused: rank 0 no longer publishes its G3"),
                gone.error().orElseThrow());
    }

    /** The outcome the worker answers {@code m} with (a G3 copy answers later, from its own thread). */
    private static TransferOutcome outcome(Worker worker, WorkerMessage m) {
        dev.kvbm.api.spi.WorkerTransport.Answer a = worker.handle(m);
        while (a instanceof dev.kvbm.api.spi.WorkerTransport.Answer.Later later) {
            a = later.answer().toCompletableFuture().join();
        }
        return DynamoCodec.INSTANCE.decodeOutcome(((dev.kvbm.api.spi.WorkerTransport.Answer.Reply) a).payload());
    }

    static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Per worker, the CRC32C of each listed block of {@code pool}. */
    static Map<String, List<Long>> checksums(Leader leader, String pool, List<Integer> blocks) {
        List<WorkerReply> replies = leader.call("kvbm_checksums", List.of(json("{\"pool\":\"" + pool + "\",\"blocks\":"
                + blocks + "}")), Duration.ofSeconds(5)).join();
        Map<String, List<Long>> out = new java.util.TreeMap<>();
        for (WorkerReply r : replies) {
            out.put(r.worker(), DynamoCodec.INSTANCE.decodeChecksums(r.payload().orElseThrow()));
        }
        return out;
    }

    @Test
    void handshakeThenByteExactTransfersOnEveryWorker() {
        Leader leader = leader(2, 32, Map.of(), Duration.ofSeconds(20));
        worker(leader, 16, LayoutType.FULLY_CONTIGUOUS, Map.of());
        worker(leader, 12, LayoutType.LAYER_SEPARATE_BLOCK, Map.of());
        ClusterReady ready = leader.awaitReady(Duration.ofSeconds(20));
        assertEquals(12, ready.numDeviceBlocks(), "device blocks: the minimum over workers");
        assertEquals(512, ready.bytesPerBlock(), "bytes per block: the sum over workers");
        assertEquals(32, ready.numHostBlocks());
        assertEquals(0, ready.numDiskBlocks());

        leader.call("kvbm_fill", List.of(json("{\"pool\":\"Device\",\"blocks\":[0,1,2,3],\"seed\":7}")), Duration.ofSeconds(5)).join();
        Map<String, List<Long>> source = checksums(leader, "Device", List.of(0, 1, 2, 3));
        leader.move(Tier.G1, Tier.G2, List.of(new BlockPair(0, 10), new BlockPair(1, 11), new BlockPair(2, 20),
                new BlockPair(3, 31))).join();
        Map<String, List<Long>> copied = checksums(leader, "Host", List.of(10, 11, 20, 31));
        assertEquals(2, copied.size());
        assertEquals(source, copied, "every worker's G2 targets hold exactly its G1 sources");
        Map<String, List<Long>> untouched = checksums(leader, "Host", List.of(12));
        for (String w : copied.keySet()) {
            assertNotEquals(untouched.get(w).getFirst(), copied.get(w).getFirst(), "the pattern is not the empty block's");
        }
        // and back to other G1 blocks
        leader.move(Tier.G2, Tier.G1, List.of(new BlockPair(10, 8), new BlockPair(31, 9))).join();
        Map<String, List<Long>> back = checksums(leader, "Device", List.of(8, 9));
        for (String w : back.keySet()) {
            assertEquals(List.of(source.get(w).get(0), source.get(w).get(3)), back.get(w));
        }
    }

    /** A stand-in for a Dynamo worker: SUB/PUSH sockets that answer as told. */
    static final class RawWorker implements AutoCloseable {
        final ZContext ctx = new ZContext(1);
        final ZMQ.Socket sub = ctx.createSocket(SocketType.SUB);
        final ZMQ.Socket push = ctx.createSocket(SocketType.PUSH);

        RawWorker(String pub, String ack) {
            // JeroMQ may stall a handshake between two contexts of one JVM: retry soon.
            sub.setHandshakeIvl(1000);
            push.setHandshakeIvl(1000);
            sub.subscribe(new byte[0]);
            sub.setReceiveTimeOut(100);
            sub.connect(pub);
            push.connect(ack);
        }

        /** Serves until {@code rounds} messages were answered, as {@code answer(id, function)} says; returns the functions seen. */
        List<String> serve(int rounds, long millis, java.util.function.BiConsumer<byte[], String> answer) {
            List<String> seen = new ArrayList<>();
            long end = System.nanoTime() + millis * 1_000_000;
            while (seen.size() < rounds && System.nanoTime() < end) {
                byte[] id = sub.recv();
                if (id == null) {
                    continue;
                }
                String fn = sub.recvStr();
                while (sub.hasReceiveMore()) {
                    sub.recv();
                }
                seen.add(fn);
                answer.accept(id, fn);
            }
            return seen;
        }

        @Override
        public void close() {
            ctx.close();
        }
    }

    @Test
    void aDynamoWorkersPlainAckCountsAsSuccessAndDuplicatesNeverCompleteARound() throws Exception {
        ZmqLeaderTransport t = new dev.kvbm.transport.zmq.internal.ZmqTransportProvider()
                .openLeader(new TransportConfig(ANY, ANY.replace("127.0.0.1", "localhost"), 2, Duration.ofSeconds(5), Map.of()));
        track(t);
        RawWorker w = track(new RawWorker(t.publishEndpoint(), t.ackEndpoint()));
        Thread.sleep(200); // PUB drops what it sends before the subscription arrives
        // one worker ACKing twice must not complete a round of two
        var round = t.broadcast("ping", List.of(), Duration.ofMillis(800));
        w.serve(1, 2000, (id, fn) -> {
            w.push.send(id);
            w.push.send(id);
        });
        CompletionException e = assertThrows(CompletionException.class, round::join);
        assertEquals(ErrorCode.TIMEOUT, ((KvbmException) e.getCause()).code());
        assertTrue(e.getCause().getMessage().startsWith("1 of 2 workers answered ping"), e.getCause().getMessage());
        assertTrue(t.duplicateAnswers() >= 1);
        // an answer to an old id is ignored; a malformed id frame is counted
        w.push.send(new byte[3]);
        long lateBefore = t.lateAnswers();
        w.push.send(round.isDone() ? new byte[] {0, 0, 0, 0, 0, 0, 0, 1} : new byte[8]);
        long end = System.nanoTime() + 2_000_000_000L;
        while ((t.malformedAnswers() < 1 || t.lateAnswers() <= lateBefore) && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        assertEquals(1, t.malformedAnswers());
        assertTrue(t.lateAnswers() > lateBefore);

        // a leader over one Dynamo-style worker: metadata by reply, everything else by plain ACK
        Leader leader = leader(1, 4, Map.of(), Duration.ofSeconds(20));
        RawWorker dyn = track(new RawWorker(leader.publishEndpoint(), leader.ackEndpoint()));
        Thread serving = Thread.ofPlatform().start(() -> dyn.serve(100, 15_000, (id, fn) -> {
            if (fn.equals("worker_metadata")) {
                dyn.push.send(id, ZMQ.SNDMORE);
                dyn.push.send(fn, ZMQ.SNDMORE);
                dyn.push.send(DynamoCodec.INSTANCE.encodeWorkerMetadata(new WorkerMetadata(10, 256)));
            } else {
                dyn.push.send(id);
            }
        }));
        try {
            ClusterReady r = leader.awaitReady(Duration.ofSeconds(15));
            assertEquals(new ClusterReady(10, 256, 4, 0, r.handshakeTime()), r);
            leader.move(Tier.G1, Tier.G2, List.of(new BlockPair(1, 2))).join(); // completes on the ACK
        } finally {
            leader.close();
            serving.join(20_000);
        }
    }

    @Test
    void curveEncryptedHandshake(@TempDir Path dir) {
        CurveKeys.write(dir.resolve("leader"));
        Leader leader = leader(1, 4, Map.of(ZmqOptions.CURVE_SERVER_SECRET_FILE, dir.resolve("leader_secret").toString()),
                Duration.ofSeconds(20));
        worker(leader, 8, LayoutType.FULLY_CONTIGUOUS, Map.of(ZmqOptions.CURVE_SERVER_PUBLIC_FILE, dir.resolve("leader").toString()));
        assertEquals(4, leader.awaitReady(Duration.ofSeconds(20)).numHostBlocks());
        leader.move(Tier.G1, Tier.G2, List.of(new BlockPair(0, 1))).join();
    }

    @Test
    void aWorkerWithoutTheServerKeyCannotJoin(@TempDir Path dir) {
        CurveKeys.write(dir.resolve("leader"));
        Leader leader = leader(1, 4, Map.of(ZmqOptions.CURVE_SERVER_SECRET_FILE, dir.resolve("leader_secret").toString()),
                Duration.ofSeconds(3));
        worker(leader, 8, LayoutType.FULLY_CONTIGUOUS, Map.of());
        KvbmException e = assertThrows(KvbmException.class, () -> leader.awaitReady(Duration.ofSeconds(10)));
        assertEquals(ErrorCode.TIMEOUT, e.code());
        assertTrue(e.getMessage().contains("device-config collection"), e.getMessage());
    }

    @Test
    void onlyAllowedWorkerKeysMayJoin(@TempDir Path dir) throws Exception {
        CurveKeys.write(dir.resolve("leader"));
        java.nio.file.Files.createDirectories(dir.resolve("allowed"));
        CurveKeys.write(dir.resolve("allowed").resolve("worker"));
        java.nio.file.Files.move(dir.resolve("allowed").resolve("worker_secret"), dir.resolve("worker_secret"));
        Map<String, String> leaderOptions = Map.of(ZmqOptions.CURVE_SERVER_SECRET_FILE, dir.resolve("leader_secret").toString(),
                ZmqOptions.CURVE_ALLOWED_CLIENTS_DIR, dir.resolve("allowed").toString());
        Leader known = leader(1, 4, leaderOptions, Duration.ofSeconds(20));
        worker(known, 8, LayoutType.FULLY_CONTIGUOUS, Map.of(ZmqOptions.CURVE_SERVER_PUBLIC_FILE, dir.resolve("leader").toString(),
                ZmqOptions.CURVE_CLIENT_SECRET_FILE, dir.resolve("worker_secret").toString()));
        assertEquals(4, known.awaitReady(Duration.ofSeconds(20)).numHostBlocks());

        Leader strict = leader(1, 4, leaderOptions, Duration.ofSeconds(3));
        // the right server key but an unknown client key (a fresh pair): refused by ZAP
        worker(strict, 8, LayoutType.FULLY_CONTIGUOUS, Map.of(ZmqOptions.CURVE_SERVER_PUBLIC_FILE, dir.resolve("leader").toString()));
        KvbmException e = assertThrows(KvbmException.class, () -> strict.awaitReady(Duration.ofSeconds(10)));
        assertEquals(ErrorCode.TIMEOUT, e.code());
    }

    @Tag("fault")
    @Test
    void workersRejoinARestartedLeaderWithoutAllocatingAgain() {
        Leader first = leader(2, 8, Map.of(), Duration.ofSeconds(20));
        String pub = first.publishEndpoint();
        String ack = first.ackEndpoint();
        Worker a = worker(first, 8, LayoutType.FULLY_CONTIGUOUS, Map.of());
        Worker b = worker(first, 8, LayoutType.FULLY_CONTIGUOUS, Map.of());
        first.awaitReady(Duration.ofSeconds(20));
        first.close();
        Leader second = track(Leader.start(new TransportConfig(pub, ack, 2, Duration.ofSeconds(20), Map.of()),
                new LeaderSettings(Duration.ofSeconds(20), Duration.ofSeconds(5), Duration.ofMillis(300),
                        new Sizing(8, 0, 0, 0)), REGISTRY));
        assertEquals(8, second.awaitReady(Duration.ofSeconds(25)).numHostBlocks());
        second.move(Tier.G1, Tier.G2, List.of(new BlockPair(1, 2))).join();
        assertEquals(1, a.allocations(), "the same leader metadata allocates nothing new");
        assertEquals(1, b.allocations());
    }

    @Test
    void nonLoopbackBindNeedsAnExplicitOption() {
        TransportConfig open = new TransportConfig("tcp://0.0.0.0:*", ANY, 1, Duration.ofSeconds(1), Map.of());
        KvbmException e = assertThrows(KvbmException.class, () -> Leader.start(open, LeaderSettings.fromEnvironment(Map.of()), REGISTRY));
        assertTrue(e.getMessage().contains(ZmqOptions.ALLOW_NON_LOOPBACK), e.getMessage());
        TransportConfig allowed = new TransportConfig("tcp://0.0.0.0:*", ANY, 1, Duration.ofSeconds(1),
                Map.of(ZmqOptions.ALLOW_NON_LOOPBACK, "true"));
        track(new dev.kvbm.transport.zmq.internal.ZmqTransportProvider().openLeader(allowed));
    }
}
