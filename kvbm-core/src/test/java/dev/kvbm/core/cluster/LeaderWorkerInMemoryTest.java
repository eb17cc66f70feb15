package dev.kvbm.core.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.Tier;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.spi.BlockPair;
import dev.kvbm.api.spi.BlockProbe;
import dev.kvbm.api.spi.LeaderMetadata;
import dev.kvbm.api.spi.WorkerReply;
import dev.kvbm.core.providers.ProviderRegistry;
import dev.kvbm.core.testing.TestProviders;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The cluster logic (handshake, membership, transfers, allocation) over the in-memory transport. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LeaderWorkerInMemoryTest {
    private final ProviderRegistry registry = TestProviders.registry(new TestProviders.CopyEngineProvider());
    private final InMemoryCluster cluster = new InMemoryCluster();
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        cluster.close();
    }

    private <T extends AutoCloseable> T track(T c) {
        open.add(c);
        return c;
    }

    private static LayoutConfig geometry(int blocks) {
        return new LayoutConfig(blocks, 2, 2, 4, 8, 1, 2); // 256 bytes per block
    }

    private Leader leader(int workers, long hostBlocks) {
        return track(Leader.over(cluster.leader(workers), new LeaderSettings(Duration.ofSeconds(20), Duration.ofSeconds(5),
                Duration.ofMillis(200), new Sizing(hostBlocks, 0, 0, 0))));
    }

    private Worker worker(int deviceBlocks, LayoutType layout) {
        return track(Worker.start(cluster.worker(), new WorkerSpec(geometry(deviceBlocks), layout, Map.of(),
                Duration.ofSeconds(5)), registry));
    }

    private static Map<String, List<Long>> checksums(Leader leader, Tier tier, List<Integer> blocks) {
        List<WorkerReply> replies = leader.call("kvbm_checksums", List.of(InMemoryCluster.CODEC.encodeProbe(
                new BlockProbe(tier, blocks, 0))), Duration.ofSeconds(5)).join();
        Map<String, List<Long>> out = new TreeMap<>();
        for (WorkerReply r : replies) {
            out.put(r.worker(), InMemoryCluster.CODEC.decodeChecksums(r.payload().orElseThrow()));
        }
        return out;
    }

    private static void fill(Leader leader, List<Integer> blocks, long seed) {
        leader.call("kvbm_fill", List.of(InMemoryCluster.CODEC.encodeProbe(new BlockProbe(Tier.G1, blocks, seed))),
                Duration.ofSeconds(5)).join();
    }

    private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + 20_000_000_000L;
        while (!condition.getAsBoolean() && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        assertTrue(condition.getAsBoolean(), what);
    }

    @Test
    void handshakeThenByteExactTransfersOnEveryWorker() {
        Leader leader = leader(2, 32).start();
        worker(16, LayoutType.FULLY_CONTIGUOUS);
        worker(12, LayoutType.LAYER_SEPARATE_BLOCK);
        ClusterReady ready = leader.awaitReady(Duration.ofSeconds(20));
        assertEquals(12, ready.numDeviceBlocks(), "device blocks: the minimum over workers");
        assertEquals(512, ready.bytesPerBlock(), "bytes per block: the sum over workers");
        assertEquals(32, ready.numHostBlocks());

        fill(leader, List.of(0, 1, 2, 3), 7);
        Map<String, List<Long>> source = checksums(leader, Tier.G1, List.of(0, 1, 2, 3));
        leader.move(Tier.G1, Tier.G2, List.of(new BlockPair(0, 10), new BlockPair(1, 11), new BlockPair(2, 20),
                new BlockPair(3, 31))).join();
        Map<String, List<Long>> copied = checksums(leader, Tier.G2, List.of(10, 11, 20, 31));
        assertEquals(2, copied.size());
        assertEquals(source, copied, "every worker's G2 targets hold exactly its G1 sources");
        Map<String, List<Long>> untouched = checksums(leader, Tier.G2, List.of(12));
        for (String w : copied.keySet()) {
            assertNotEquals(untouched.get(w).getFirst(), copied.get(w).getFirst());
        }
        leader.move(Tier.G2, Tier.G1, List.of(new BlockPair(10, 8), new BlockPair(31, 9))).join();
        Map<String, List<Long>> back = checksums(leader, Tier.G1, List.of(8, 9));
        for (String w : back.keySet()) {
            assertEquals(List.of(source.get(w).get(0), source.get(w).get(3)), back.get(w));
        }
    }

    /** What each worker moved, per path, for its metrics: its shard's bytes, and the failures. */
    @Test
    void workersCountWhatTheyMovedPerPath() {
        Leader leader = leader(2, 32).start();
        Worker a = worker(16, LayoutType.FULLY_CONTIGUOUS);
        Worker b = worker(12, LayoutType.FULLY_CONTIGUOUS);
        leader.awaitReady(Duration.ofSeconds(20));
        for (Worker w : List.of(a, b)) {
            assertEquals(12, w.pathStats().size(), "every pair of tiers from the start");
            assertEquals(0, w.pathStats().get("G1->G2").transfers());
        }
        leader.move(Tier.G1, Tier.G2, List.of(new BlockPair(0, 10), new BlockPair(1, 11), new BlockPair(2, 12))).join();
        assertThrows(CompletionException.class, () -> leader.move(Tier.G1, Tier.G2, List.of(new BlockPair(14, 0))).join());
        // block 14 exists on the first worker only: it copied it, the second refused
        assertEquals(4, a.pathStats().get("G1->G2").blocks());
        assertEquals(4 * 256, a.pathStats().get("G1->G2").bytes(), "bytes of this worker's shard");
        assertEquals(3, b.pathStats().get("G1->G2").blocks());
        assertEquals(3 * 256, b.pathStats().get("G1->G2").bytes());
        assertEquals(0, a.pathStats().get("G1->G2").failures());
        assertEquals(1, b.pathStats().get("G1->G2").failures(), "block 14 is out of this worker's range");
        assertEquals(Map.of(Tier.G1, 12, Tier.G2, 32), b.tierBlocks());
        // a worker without G4 says so to kvbm's G4 functions
        var replies = leader.call(dev.kvbm.core.cluster.internal.RemoteFrames.CONTAINS, List.of(
                dev.kvbm.core.cluster.internal.RemoteFrames.request(null, new long[] {1}, null)), Duration.ofSeconds(5)).join();
        for (var r : replies) {
            var answer = dev.kvbm.core.cluster.internal.RemoteFrames.decodeAnswer("contains", r.payload().orElseThrow());
            assertTrue(answer.error().contains("no G4"), answer.error());
        }
        assertThrows(KvbmException.class, () -> leader.remote(dev.kvbm.core.remote.RemoteTierConfig.of(
                java.net.URI.create("redis://127.0.0.1:1"), "m"), Tier.G2, Tier.G2));
    }

    /** A worker that cannot allocate what the leader asks answers the pings with why; the leader fails with it. */
    @Test
    void aWorkersAllocationErrorReachesTheLeader() {
        Leader leader = leader(1, (long) Integer.MAX_VALUE + 1).start();
        worker(8, LayoutType.FULLY_CONTIGUOUS);
        KvbmException e = assertThrows(KvbmException.class, () -> leader.awaitReady(Duration.ofSeconds(20)));
        assertEquals(ErrorCode.ALLOCATION_FAILED, e.code());
        assertTrue(e.getMessage().contains("allocation failed") && e.getMessage().contains("num_host_blocks"),
                e.getMessage());
    }

    /** A G2 larger than the host's available memory is refused before allocating, and the leader says so. */
    @Test
    void aG2BeyondTheHostsMemoryIsRefusedBeforeAllocating() {
        org.junit.jupiter.api.Assumptions.assumeTrue(HostMemory.available().isPresent(), "no /proc/meminfo here");
        Leader leader = leader(1, Integer.MAX_VALUE).start(); // 2^31 blocks of 256 bytes: 512 GiB
        worker(8, LayoutType.FULLY_CONTIGUOUS);
        KvbmException e = assertThrows(KvbmException.class, () -> leader.awaitReady(Duration.ofSeconds(20)));
        assertEquals(ErrorCode.ALLOCATION_FAILED, e.code());
        assertTrue(e.getMessage().contains("needs 512.00 GiB of host memory") && e.getMessage().contains("MemAvailable"),
                e.getMessage());
    }

    @Tag("fault")
    @Test
    void oneWorkersFailureFailsTheTransfer() {
        Leader leader = leader(2, 8).start();
        worker(16, LayoutType.FULLY_CONTIGUOUS);
        worker(12, LayoutType.FULLY_CONTIGUOUS);
        leader.awaitReady(Duration.ofSeconds(20));
        // block 14 exists on the first worker only: the second answers with a failed outcome
        CompletionException e = assertThrows(CompletionException.class,
                () -> leader.move(Tier.G1, Tier.G2, List.of(new BlockPair(14, 0))).join());
        KvbmException k = (KvbmException) e.getCause();
        assertEquals(ErrorCode.TRANSFER_FAILED, k.code());
        assertTrue(k.getMessage().startsWith("block transfer failed on a worker: "), k.getMessage());
        assertTrue(k.getMessage().contains("out of range 0..11"), k.getMessage());
        assertThrows(KvbmException.class, () -> leader.checkPath(Tier.G2, Tier.G3), "G3 was never configured");
        // a G2 block never written by these workers is refused as a source
        e = assertThrows(CompletionException.class, () -> leader.move(Tier.G2, Tier.G1, List.of(new BlockPair(5, 0))).join());
        assertTrue(e.getCause().getMessage().contains("not written by the current set of workers"), e.getCause().getMessage());
    }

    @Tag("fault")
    @Test
    void aLostWorkerFailsTransfersAndARestartedOneRejoins() throws Exception {
        Leader leader = leader(2, 8).start();
        worker(8, LayoutType.FULLY_CONTIGUOUS);
        Worker second = worker(8, LayoutType.FULLY_CONTIGUOUS);
        leader.awaitReady(Duration.ofSeconds(20));
        leader.move(Tier.G1, Tier.G2, List.of(new BlockPair(0, 1))).join();
        int epoch = leader.epoch();
        second.close();
        CompletionException e = assertThrows(CompletionException.class,
                () -> leader.move(Tier.G1, Tier.G2, List.of(new BlockPair(0, 2))).join());
        assertEquals(ErrorCode.TRANSFER_FAILED, ((KvbmException) e.getCause()).code());
        await(() -> !leader.isReady(), "the ping loop noticed the lost worker");
        worker(8, LayoutType.FULLY_CONTIGUOUS);
        await(leader::isReady, "the restarted worker rejoined");
        assertTrue(leader.epoch() > epoch, "a restarted worker is a new member");
        leader.move(Tier.G1, Tier.G2, List.of(new BlockPair(0, 3))).join();
        e = assertThrows(CompletionException.class, () -> leader.move(Tier.G2, Tier.G1, List.of(new BlockPair(1, 4))).join());
        assertTrue(e.getCause().getMessage().contains("not written by the current set of workers"), e.getCause().getMessage());
        leader.move(Tier.G2, Tier.G1, List.of(new BlockPair(3, 4))).join();
    }

    @Tag("fault")
    @Test
    void workersRejoinARestartedLeaderWithoutAllocatingAgain() {
        Leader first = leader(2, 8).start();
        Worker a = worker(8, LayoutType.FULLY_CONTIGUOUS);
        Worker b = worker(8, LayoutType.FULLY_CONTIGUOUS);
        first.awaitReady(Duration.ofSeconds(20));
        first.close();
        Leader second = leader(2, 8).start();
        assertEquals(8, second.awaitReady(Duration.ofSeconds(20)).numHostBlocks());
        second.move(Tier.G1, Tier.G2, List.of(new BlockPair(1, 2))).join();
        assertEquals(1, a.allocations(), "the same leader metadata allocates nothing new");
        assertEquals(1, b.allocations());
    }

    @Test
    void aLeaderWithoutG2OrG3IsRefusedAtOnce() {
        KvbmException e = assertThrows(KvbmException.class, () -> Leader.over(cluster.leader(1),
                LeaderSettings.fromEnvironment(Map.of()).withSizing(new Sizing(0, 0, 0, 0))));
        assertEquals(ErrorCode.INVALID_CONFIG, e.code());
        assertTrue(e.getMessage().contains("DYN_KVBM_CPU_CACHE_GB"), e.getMessage());
    }

    @Test
    void transferCallbacksNeverRunOnTheTransportsThread() throws Exception {
        Leader leader = leader(1, 8).start();
        worker(8, LayoutType.FULLY_CONTIGUOUS);
        leader.awaitReady(Duration.ofSeconds(20));
        for (int i = 0; i < 20; i++) {
            var release = cluster.holdIo(); // the transfer completes only after its dependents are registered
            CompletableFuture<String> ranOn = new CompletableFuture<>();
            CompletableFuture<Void> moved = leader.move(Tier.G1, Tier.G2, List.of(new BlockPair(i % 8, i % 8)));
            moved.whenComplete((v, e) -> ranOn.complete(Thread.currentThread().getName()));
            CompletableFuture<String> called = new CompletableFuture<>();
            leader.call("ping", List.of(), Duration.ofSeconds(5)).thenRun(() -> called.complete(Thread.currentThread().getName()));
            assertFalse(moved.isDone());
            release.countDown();
            moved.join();
            assertNotEquals(InMemoryCluster.IO_THREAD, ranOn.get(5, TimeUnit.SECONDS), "a transfer's dependent ran on the I/O thread");
            assertNotEquals(InMemoryCluster.IO_THREAD, called.get(5, TimeUnit.SECONDS), "a call's dependent ran on the I/O thread");
        }
        // a dependent added after completion runs on the caller's thread at once
        CompletableFuture<Void> done = leader.move(Tier.G1, Tier.G2, List.of(new BlockPair(0, 0)));
        done.join();
        String[] ranOn = new String[1];
        done.thenRun(() -> ranOn[0] = Thread.currentThread().getName());
        assertEquals(Thread.currentThread().getName(), ranOn[0]);
    }

    @Test
    void nothingRunsBeforeStartAndCloseJoinsEveryThread() throws Exception {
        Leader leader = leader(1, 8);
        worker(8, LayoutType.FULLY_CONTIGUOUS);
        KvbmException e = assertThrows(KvbmException.class, () -> leader.awaitReady(Duration.ofMillis(300)));
        assertTrue(e.getMessage().contains("never started"), e.getMessage());
        leader.start();
        leader.awaitReady(Duration.ofSeconds(20));
        Thread.sleep(300); // the ping loop runs
        leader.close();
        assertTrue(leader.terminated(), "handshake, ping and callback threads ended");
        assertThrows(KvbmException.class, leader::start);
        CompletionException c = assertThrows(CompletionException.class,
                () -> leader.move(Tier.G1, Tier.G2, List.of(new BlockPair(0, 0))).join());
        assertTrue(c.getCause().getMessage().contains("closed"), c.getCause().getMessage());
    }

    @Test
    void closingDuringTheHandshakeEndsItAtOnce() throws Exception {
        Leader leader = leader(2, 8).start(); // no worker: the handshake keeps waiting
        Thread.sleep(200);
        long t0 = System.nanoTime();
        leader.close();
        assertTrue(System.nanoTime() - t0 < 3_000_000_000L, "close did not wait for the round to time out");
        assertTrue(leader.terminated());
    }

    @Test
    void leaderMetadataAllocatesOncePerDistinctValue() throws Exception {
        Worker w = track(Worker.detached(new WorkerSpec(geometry(8), LayoutType.FULLY_CONTIGUOUS, Map.of(),
                Duration.ofSeconds(5)), registry, InMemoryCluster.CODEC));
        byte[] meta = InMemoryCluster.CODEC.encodeLeaderMetadata(new LeaderMetadata(4, 0));
        for (int i = 0; i < 50; i++) {
            w.handle(new dev.kvbm.api.spi.WorkerMessage(i, "leader_metadata", List.of(meta)));
        }
        await(w::isReady, "allocated");
        await(w::allocationIdle, "allocation settled");
        assertEquals(1, w.allocations(), "a flood of the same metadata allocates once");
        assertEquals(java.util.Set.of(Tier.G1, Tier.G2), w.tiers());
        w.handle(new dev.kvbm.api.spi.WorkerMessage(99, "leader_metadata", List.of(InMemoryCluster.CODEC.encodeLeaderMetadata(
                new LeaderMetadata(6, 0)))));
        await(() -> w.allocations() == 2 && w.isReady(), "new metadata allocates again");
        long open = Worker.openAllocations();
        w.close();
        assertEquals(open - 2, Worker.openAllocations(), "closing frees G1 and G2");
        assertNotNull(w.metadata());
    }

    @Test
    void theTransportIsFoundByNameAndAMissingOneNamesItsModule() {
        ProviderRegistry none = ProviderRegistry.of(List.of(), List.of(), List.of(), java.util.Set.of());
        dev.kvbm.api.spi.TransportConfig config = new dev.kvbm.api.spi.TransportConfig("tcp://127.0.0.1:1",
                "tcp://127.0.0.1:2", 1, Duration.ofSeconds(1), Map.of());
        KvbmException e = assertThrows(KvbmException.class, () -> Leader.start(config, new LeaderSettings(Duration.ofSeconds(1),
                Duration.ofSeconds(1), Duration.ofSeconds(1), new Sizing(1, 0, 0, 0)), none));
        assertEquals(ErrorCode.PROVIDER_NOT_FOUND, e.code());
        assertTrue(e.getMessage().contains("'zmq'") && e.getMessage().contains("kvbm-transport-zmq"), e.getMessage());
        e = assertThrows(KvbmException.class, () -> Worker.start(config, new WorkerSpec(geometry(4), LayoutType.FULLY_CONTIGUOUS),
                none));
        assertEquals(ErrorCode.PROVIDER_NOT_FOUND, e.code());
    }

    @Test
    void sizingUsesDecimalGbOrOverrides() {
        Sizing s = Sizing.fromEnvironment(Map.of("DYN_KVBM_CPU_CACHE_GB", "1.5",
                "DYN_KVBM_DISK_CACHE_OVERRIDE_NUM_BLOCKS", " 77 ", "DYN_KVBM_DISK_CACHE_GB", "100"));
        assertEquals(new LeaderMetadata(1_500_000_000L / 3_000_000L, 77), s.compute(3_000_000L));
        assertEquals(new LeaderMetadata(0, 0), Sizing.fromEnvironment(Map.of("DYN_KVBM_CPU_CACHE_GB", "x")).compute(10));
        assertFalse(s.empty());
    }
}
