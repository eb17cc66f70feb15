package dev.kvbm.core.cluster;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.Tier;
import dev.kvbm.api.spi.BlockPair;
import dev.kvbm.api.spi.BlockProbe;
import dev.kvbm.api.spi.ClusterCodec;
import dev.kvbm.api.spi.LeaderMetadata;
import dev.kvbm.api.spi.LeaderTransport;
import dev.kvbm.api.spi.TransferOutcome;
import dev.kvbm.api.spi.TransferRequest;
import dev.kvbm.api.spi.WorkerMessage;
import dev.kvbm.api.spi.WorkerMetadata;
import dev.kvbm.api.spi.WorkerReply;
import dev.kvbm.api.spi.WorkerTransport;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A leader transport and worker transports in one JVM, for testing the cluster logic without a real
 * transport. Deliveries and answers go through one "I/O" thread ({@link #IO_THREAD}), as a socket receive
 * loop would; a worker's handler runs on its own thread. Messages are encoded by {@link #CODEC}, a plain
 * binary codec unlike Dynamo's, so the core is shown not to depend on one wire format.
 */
final class InMemoryCluster implements AutoCloseable {
    static final String IO_THREAD = "in-memory-io";
    static final ClusterCodec CODEC = new BinaryCodec();

    private final ExecutorService io = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().daemon().name(IO_THREAD).unstarted(r));
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("in-memory-timers").unstarted(r));
    private final List<Worker> workers = new CopyOnWriteArrayList<>();
    private final AtomicInteger names = new AtomicInteger();
    private volatile Leader leader;

    /** A fresh leader transport: the workers connected now answer it, as they would a restarted leader. */
    LeaderTransport leader(int worldSize) {
        Leader l = new Leader(worldSize);
        leader = l;
        return l;
    }

    /** A worker transport that joins when started (each a new member, as a new connection is). */
    WorkerTransport worker() {
        return new Worker("w" + names.incrementAndGet());
    }

    /** Holds the I/O thread until the returned latch is counted down: nothing is delivered or answered meanwhile. */
    java.util.concurrent.CountDownLatch holdIo() {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        io.execute(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return release;
    }

    @Override
    public void close() {
        io.shutdownNow();
        timers.shutdownNow();
    }

    private final class Leader implements LeaderTransport {
        private final int worldSize;
        private final AtomicLong ids = new AtomicLong();
        private final Map<Long, Round> rounds = new ConcurrentHashMap<>();
        private volatile boolean closed;

        private record Round(long id, String function, Map<String, WorkerReply> replies,
                             CompletableFuture<List<WorkerReply>> future) {
        }

        Leader(int worldSize) {
            this.worldSize = worldSize;
        }

        @Override
        public CompletableFuture<List<WorkerReply>> broadcast(String function, List<byte[]> data, Duration timeout) {
            if (closed) {
                return CompletableFuture.failedFuture(new KvbmException(ErrorCode.INVALID_STATE, "leader transport closed"));
            }
            long id = ids.incrementAndGet();
            Round round = new Round(id, function, new LinkedHashMap<>(), new CompletableFuture<>());
            rounds.put(id, round);
            WorkerMessage m = new WorkerMessage(id, function, data);
            for (Worker w : workers) {
                io.execute(() -> w.deliver(m));
            }
            timers.schedule(() -> {
                if (rounds.remove(id, round)) {
                    int answered;
                    synchronized (round) {
                        answered = round.replies().size();
                    }
                    round.future().completeExceptionally(new KvbmException(ErrorCode.TIMEOUT, answered + " of "
                            + worldSize + " workers answered " + function + " (id " + id + ")"));
                }
            }, timeout.toNanos(), TimeUnit.NANOSECONDS);
            return round.future();
        }

        /** Runs on the I/O thread, as a receive loop would. */
        void answer(long id, String worker, Optional<byte[]> payload) {
            Round round = rounds.get(id);
            if (round == null || leader != this) {
                return;
            }
            List<WorkerReply> done = null;
            synchronized (round) {
                round.replies().putIfAbsent(worker, new WorkerReply(worker, payload));
                if (round.replies().size() >= worldSize) {
                    done = List.copyOf(round.replies().values());
                }
            }
            if (done != null && rounds.remove(id, round)) {
                round.future().complete(done);
            }
        }

        @Override
        public int worldSize() {
            return worldSize;
        }

        @Override
        public String publishEndpoint() {
            return "memory://publish";
        }

        @Override
        public String ackEndpoint() {
            return "memory://ack";
        }

        @Override
        public ClusterCodec codec() {
            return CODEC;
        }

        @Override
        public void close() {
            closed = true;
            rounds.values().forEach(r -> r.future().completeExceptionally(new KvbmException(ErrorCode.INVALID_STATE,
                    "leader transport closed")));
            rounds.clear();
        }
    }

    private final class Worker implements WorkerTransport {
        private final String name;
        private final ExecutorService handlers = Executors.newVirtualThreadPerTaskExecutor();
        private volatile Function<WorkerMessage, Answer> handler;
        private final AtomicLong malformed = new AtomicLong();

        Worker(String name) {
            this.name = name;
        }

        @Override
        public void start(Function<WorkerMessage, Answer> h) {
            handler = h;
            workers.add(this);
        }

        void deliver(WorkerMessage m) {
            handlers.execute(() -> {
                Answer a;
                try {
                    a = handler.apply(m);
                } catch (RuntimeException e) {
                    malformed.incrementAndGet();
                    return;
                }
                answer(m, a);
            });
        }

        private void answer(WorkerMessage m, Answer a) {
            Leader l = leader;
            switch (a) {
                case Answer.Ack ack -> io.execute(() -> l.answer(m.id(), name, Optional.empty()));
                case Answer.Reply r -> io.execute(() -> l.answer(m.id(), name, Optional.of(r.payload())));
                case Answer.Silent s -> {
                    // no answer
                }
                case Answer.Later later -> later.answer().whenComplete((done, error) -> {
                    if (error == null) {
                        answer(m, done);
                    } else {
                        malformed.incrementAndGet();
                    }
                });
            }
        }

        @Override
        public ClusterCodec codec() {
            return CODEC;
        }

        @Override
        public long malformedMessages() {
            return malformed.get();
        }

        @Override
        public void close() {
            workers.remove(this); // a lost worker: it answers nothing more
            handlers.shutdownNow();
        }
    }

    /** Big-endian fixed-width fields; a test codec, not Dynamo's. */
    private static final class BinaryCodec implements ClusterCodec {
        private interface Writer {
            void write(DataOutputStream out) throws IOException;
        }

        private interface Reader<T> {
            T read(DataInputStream in) throws IOException;
        }

        private static byte[] bytes(Writer w) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(b)) {
                w.write(out);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return b.toByteArray();
        }

        private static <T> T read(String what, byte[] payload, Reader<T> r) {
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload))) {
                T value = r.read(in);
                if (in.available() != 0) {
                    throw new KvbmException(ErrorCode.PROTOCOL_ERROR, what + ": trailing bytes");
                }
                return value;
            } catch (IOException e) {
                throw new KvbmException(ErrorCode.PROTOCOL_ERROR, what + ": " + e);
            }
        }

        @Override
        public byte[] encodeWorkerMetadata(WorkerMetadata m) {
            return bytes(o -> {
                o.writeLong(m.numDeviceBlocks());
                o.writeLong(m.bytesPerBlock());
            });
        }

        @Override
        public WorkerMetadata decodeWorkerMetadata(byte[] p) {
            return read("worker_metadata", p, i -> new WorkerMetadata(i.readLong(), i.readLong()));
        }

        @Override
        public byte[] encodeLeaderMetadata(LeaderMetadata m) {
            return bytes(o -> {
                o.writeLong(m.numHostBlocks());
                o.writeLong(m.numDiskBlocks());
            });
        }

        @Override
        public LeaderMetadata decodeLeaderMetadata(byte[] p) {
            return read("leader_metadata", p, i -> new LeaderMetadata(i.readLong(), i.readLong()));
        }

        @Override
        public byte[] encodeTransfer(TransferRequest r) {
            return bytes(o -> {
                o.writeByte(r.from().ordinal());
                o.writeByte(r.to().ordinal());
                o.writeInt(r.blocks().size());
                for (BlockPair p : r.blocks()) {
                    o.writeInt(p.source());
                    o.writeInt(p.target());
                }
            });
        }

        @Override
        public TransferRequest decodeTransfer(byte[] p) {
            return read("transfer_blocks", p, i -> {
                Tier from = Tier.values()[i.readByte()];
                Tier to = Tier.values()[i.readByte()];
                int n = i.readInt();
                List<BlockPair> pairs = new ArrayList<>();
                for (int k = 0; k < n; k++) {
                    pairs.add(new BlockPair(i.readInt(), i.readInt()));
                }
                return new TransferRequest(from, to, pairs);
            });
        }

        @Override
        public byte[] encodeOutcome(TransferOutcome o) {
            return bytes(out -> {
                out.writeBoolean(o.ok());
                out.writeUTF(o.error().orElse(""));
            });
        }

        @Override
        public TransferOutcome decodeOutcome(byte[] p) {
            return read("outcome", p, i -> {
                boolean ok = i.readBoolean();
                String error = i.readUTF();
                return new TransferOutcome(ok, error.isEmpty() ? Optional.empty() : Optional.of(error));
            });
        }

        @Override
        public byte[] encodeProbe(BlockProbe probe) {
            return bytes(o -> {
                o.writeByte(probe.tier().ordinal());
                o.writeLong(probe.seed());
                o.writeInt(probe.blocks().size());
                for (int b : probe.blocks()) {
                    o.writeInt(b);
                }
            });
        }

        @Override
        public BlockProbe decodeProbe(String function, byte[] p) {
            return read(function, p, i -> {
                Tier tier = Tier.values()[i.readByte()];
                long seed = i.readLong();
                int n = i.readInt();
                List<Integer> blocks = new ArrayList<>();
                for (int k = 0; k < n; k++) {
                    blocks.add(i.readInt());
                }
                return new BlockProbe(tier, blocks, seed);
            });
        }

        @Override
        public byte[] encodeChecksums(List<Long> sums) {
            return bytes(o -> {
                o.writeInt(sums.size());
                for (long s : sums) {
                    o.writeLong(s);
                }
            });
        }

        @Override
        public List<Long> decodeChecksums(byte[] p) {
            return read("checksums", p, i -> {
                int n = i.readInt();
                List<Long> sums = new ArrayList<>();
                for (int k = 0; k < n; k++) {
                    sums.add(i.readLong());
                }
                return sums;
            });
        }
    }
}
