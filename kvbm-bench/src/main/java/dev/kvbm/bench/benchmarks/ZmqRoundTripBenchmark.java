package dev.kvbm.bench.benchmarks;

import dev.kvbm.api.Tier;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.spi.BlockPair;
import dev.kvbm.api.spi.TransportConfig;
import dev.kvbm.core.cluster.Leader;
import dev.kvbm.core.cluster.LeaderSettings;
import dev.kvbm.core.cluster.Sizing;
import dev.kvbm.core.cluster.Worker;
import dev.kvbm.core.cluster.WorkerSpec;
import dev.kvbm.core.providers.ProviderRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A {@code transfer_blocks} round trip of 16 blocks (G1 -&gt; G2, 32 KiB per block per worker) from a
 * leader to 2 workers over ZeroMQ on loopback, against the reference of a {@code ping} round trip to the
 * same workers in the same run (the transport alone, no copy).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ZmqRoundTripBenchmark {
    private static final int WORKERS = 2;
    private static final int BLOCKS = 16;

    private final List<AutoCloseable> owned = new ArrayList<>();
    private Leader leader;
    private List<BlockPair> pairs;

    @Setup(Level.Trial)
    public void setUp() {
        String any = "tcp://127.0.0.1:*";
        Duration init = Duration.ofSeconds(30);
        ProviderRegistry registry = ProviderRegistry.load();
        leader = Leader.start(new TransportConfig(any, any.replace("127.0.0.1", "localhost"), WORKERS, init, Map.of()),
                new LeaderSettings(init, Duration.ofSeconds(10), Duration.ofSeconds(1),
                        new Sizing(2 * BLOCKS, 0, 0, 0)), registry);
        owned.add(leader);
        LayoutConfig g1 = new LayoutConfig(2 * BLOCKS, 4, 2, 16, 128, 1, 2); // 32 KiB per block
        for (int w = 0; w < WORKERS; w++) {
            owned.add(Worker.start(new TransportConfig(leader.publishEndpoint(), leader.ackEndpoint(), 1, init, Map.of()),
                    new WorkerSpec(g1, LayoutType.FULLY_CONTIGUOUS, Map.of("kvbm.host.mlock", "false"),
                            Duration.ofSeconds(10)), registry));
        }
        leader.awaitReady(init);
        pairs = new ArrayList<>();
        for (int i = 0; i < BLOCKS; i++) {
            pairs.add(new BlockPair(i, BLOCKS + i));
        }
    }

    @Benchmark
    public void transferBlocks() {
        leader.move(Tier.G1, Tier.G2, pairs).join();
    }

    @Benchmark
    public Object pingReference() {
        return leader.call("ping", List.of(), Duration.ofSeconds(10)).join();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        for (int i = owned.size() - 1; i >= 0; i--) {
            owned.get(i).close();
        }
        owned.clear();
    }
}
