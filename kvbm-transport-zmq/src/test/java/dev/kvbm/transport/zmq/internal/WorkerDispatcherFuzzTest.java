package dev.kvbm.transport.zmq.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.spi.WorkerMessage;
import dev.kvbm.api.spi.WorkerTransport.Answer;
import dev.kvbm.core.providers.ProviderRegistry;
import dev.kvbm.api.spi.LeaderMetadata;
import dev.kvbm.core.cluster.Worker;
import dev.kvbm.core.cluster.WorkerSpec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** 100,000 random and mutated frames through a real worker's decoder and dispatcher. */
@Tag("fault")
class WorkerDispatcherFuzzTest {

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void noFrameStopsTheWorkerOrLeaks() throws Exception {
        long openBefore = Worker.openAllocations();
        // A host limit keeps a fuzzed leader_metadata from asking for gigabytes: such an allocation fails fast.
        Worker worker = Worker.detached(new WorkerSpec(new LayoutConfig(8, 1, 2, 2, 4, 1, 2),
                LayoutType.FULLY_CONTIGUOUS, Map.of("kvbm.host.mlock", "false", "kvbm.host.limit.bytes", "1048576"),
                Duration.ofSeconds(5)), ProviderRegistry.load(), DynamoCodec.INSTANCE);
        try {
            List<List<byte[]>> valid = List.of(
                    List.of(Sockets.id(1), utf8("worker_metadata")),
                    List.of(Sockets.id(2), utf8("leader_metadata"), DynamoCodec.INSTANCE.encodeLeaderMetadata(new LeaderMetadata(4, 0))),
                    List.of(Sockets.id(3), utf8("ping")),
                    List.of(Sockets.id(4), utf8("transfer_blocks"),
                            utf8("{\"from_pool\":\"Device\",\"to_pool\":\"Host\",\"blocks\":[[0,1],[2,3]]}")),
                    List.of(Sockets.id(5), utf8("transfer_blocks"),
                            utf8("{\"from_pool\":\"Host\",\"to_pool\":\"Device\",\"blocks\":[[1,7]]}")),
                    List.of(Sockets.id(6), utf8("kvbm_fill"), utf8("{\"pool\":\"Device\",\"blocks\":[0,2],\"seed\":3}")),
                    List.of(Sockets.id(7), utf8("kvbm_checksums"), utf8("{\"pool\":\"Host\",\"blocks\":[1,3]}")));
            AtomicLong answers = new AtomicLong();
            AtomicLong badAnswers = new AtomicLong();
            WorkerDispatcher d = new WorkerDispatcher(worker::handle, frames -> {
                answers.incrementAndGet();
                if (frames.isEmpty() || frames.getFirst().length != 8 || frames.size() == 2 || frames.size() > 3) {
                    badAnswers.incrementAndGet();
                }
            });
            d.onFrames(valid.get(1));
            long end = System.nanoTime() + 10_000_000_000L;
            while (!worker.isReady() && System.nanoTime() < end) {
                Thread.sleep(5);
            }
            assertTrue(worker.isReady(), "allocated after leader_metadata: " + worker.allocationError());
            SplittableRandom rnd = new SplittableRandom(42);
            int n = 100_000;
            for (int i = 0; i < n; i++) {
                d.onFrames(rnd.nextInt(4) == 0 ? random(rnd) : mutate(rnd, valid.get(rnd.nextInt(valid.size()))));
            }
            end = System.nanoTime() + 20_000_000_000L;
            while (!worker.allocationIdle() && System.nanoTime() < end) {
                Thread.sleep(5);
            }
            assertTrue(worker.allocationIdle(), "allocations settle");
            assertTrue(d.malformedMessages() > 10_000, "most random frames are malformed: " + d.malformedMessages());
            assertTrue(d.handledMessages() > 10_000, "mutations of valid messages are still served: " + d.handledMessages());
            assertEquals(0, badAnswers.get(), "every answer is [id] or [id, function, payload]");
            // it still serves a well-formed request after the flood
            Answer a = worker.handle(new WorkerMessage(9, "worker_metadata", List.of()));
            assertTrue(a instanceof Answer.Reply);
            assertEquals(openBefore + worker.tiers().size(), Worker.openAllocations(),
                    "only the tiers the worker holds now are allocated");
        } finally {
            worker.close();
        }
        assertEquals(openBefore, Worker.openAllocations(), "closing the worker frees every tier");
    }

    private static List<byte[]> random(SplittableRandom rnd) {
        int frames = rnd.nextInt(6);
        List<byte[]> out = new ArrayList<>(frames);
        for (int i = 0; i < frames; i++) {
            byte[] b = new byte[rnd.nextInt(i == 0 && rnd.nextBoolean() ? 9 : 40)];
            rnd.nextBytes(b);
            out.add(b);
        }
        return out;
    }

    private static List<byte[]> mutate(SplittableRandom rnd, List<byte[]> message) {
        List<byte[]> out = new ArrayList<>();
        for (byte[] f : message) {
            out.add(f.clone());
        }
        switch (rnd.nextInt(7)) {
            case 0 -> { // flip bytes in one frame
                byte[] f = out.get(rnd.nextInt(out.size()));
                for (int k = 0; k < 1 + rnd.nextInt(3) && f.length > 0; k++) {
                    f[rnd.nextInt(f.length)] = (byte) rnd.nextInt(256);
                }
            }
            case 1 -> { // truncate one frame
                int i = rnd.nextInt(out.size());
                byte[] f = out.get(i);
                out.set(i, java.util.Arrays.copyOf(f, f.length == 0 ? 0 : rnd.nextInt(f.length)));
            }
            case 2 -> out.remove(rnd.nextInt(out.size())); // a missing frame
            case 3 -> { // an extra frame
                byte[] extra = new byte[rnd.nextInt(16)];
                rnd.nextBytes(extra);
                out.add(extra);
            }
            case 4 -> out.set(0, new byte[rnd.nextInt(12)]); // wrong id length
            case 5 -> out.set(1, new byte[] {(byte) 0xC3, (byte) 0x28}); // bad UTF-8 function
            default -> { // a valid message with a fresh id (late or repeated ids are fine for a worker)
                out.set(0, Sockets.id(rnd.nextLong()));
            }
        }
        return out;
    }
}
