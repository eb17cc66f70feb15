package dev.kvbm.metrics;

import dev.kvbm.api.Tier;
import dev.kvbm.core.cluster.Worker;
import dev.kvbm.core.manager.KvBlockManager;
import dev.kvbm.core.manager.ManagerCounters;
import dev.kvbm.core.manager.TierRuntime;
import dev.kvbm.core.offload.PathStats;
import dev.kvbm.core.pool.PoolStatus;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Registers a manager's figures (or a distributed worker's: what it moved per path and its tiers' health)
 * with a Micrometer registry: every metric exists from the start (0 where it does not apply: an absent tier,
 * a path nothing moved on, a request counter on a worker), and counters add up — the hits of all tiers never
 * exceed the requested blocks. Tiers are labelled {@code g1}..{@code g4}, paths
 * {@code g1_g2}-style. Names as Prometheus shows them:
 *
 * <ul>
 *   <li>{@code kvbm_requested_blocks_total}, {@code kvbm_requested_tokens_total},
 *       {@code kvbm_hit_blocks_total{tier}}, {@code kvbm_hit_tokens_total{tier}};</li>
 *   <li>{@code kvbm_transfer_bytes_total{path}}, {@code kvbm_transfer_seconds{path}} (histogram),
 *       {@code kvbm_transfer_failures_total{path}};</li>
 *   <li>{@code kvbm_checksum_failures_total{tier}}, {@code kvbm_offload_skipped_total{reason}},
 *       {@code kvbm_evictions_total{tier}}, {@code kvbm_pool_blocks{tier,state}},
 *       {@code kvbm_tier_degraded{tier}};</li>
 *   <li>Dynamo's: {@code kvbm_matched_tokens}, {@code kvbm_offload_blocks_d2h} (G1->G2),
 *       {@code kvbm_offload_blocks_h2d} (G2->G3), {@code kvbm_offload_blocks_d2d} (G1->G3),
 *       {@code kvbm_onboard_blocks_h2d} (G2->G1), {@code kvbm_onboard_blocks_d2d} (G3->G1),
 *       {@code kvbm_host_cache_hit_rate}, {@code kvbm_disk_cache_hit_rate}. Dynamo exports its block
 *       counts without a {@code _total} suffix; Prometheus' Java client adds one to every counter, so these
 *       keep Dynamo's exact names as gauges of the running count.</li>
 * </ul>
 */
public final class KvbmMetrics {
    /** Paths registered from the start even before anything moved on them. */
    static final List<String> PATHS = List.of("G1->G2", "G1->G3", "G2->G3", "G2->G1", "G3->G1", "G1->G4", "G2->G4",
            "G3->G4", "G4->G1", "G4->G2");
    static final List<String> POOL_STATES = List.of("free", "inactive", "active", "in_flight");

    private final MetricsSource source;
    private final MeterRegistry registry;
    private final Map<String, Timer> transferTimers = new ConcurrentHashMap<>();

    private KvbmMetrics(MetricsSource source, MeterRegistry registry) {
        this.source = source;
        this.registry = registry;
    }

    /** Registers every metric of {@code manager} with {@code registry}; values are read at each scrape. */
    public static KvbmMetrics bind(KvBlockManager manager, MeterRegistry registry) {
        return bind(MetricsSource.of(manager), registry);
    }

    /**
     * Registers the same metrics for a distributed worker: its transfers per path (bytes, seconds, failures),
     * G4's health and whether G2/G3 could be allocated; request, hit and pool figures are the leader's (0 here).
     */
    public static KvbmMetrics bind(Worker worker, MeterRegistry registry) {
        return bind(MetricsSource.of(worker), registry);
    }

    private static KvbmMetrics bind(MetricsSource source, MeterRegistry registry) {
        KvbmMetrics m = new KvbmMetrics(source, registry);
        m.register();
        return m;
    }

    public static String label(Tier tier) {
        return tier.name().toLowerCase(Locale.ROOT);
    }

    /** {@code G1->G2} as a label value: {@code g1_g2}. */
    public static String pathLabel(String path) {
        return path.toLowerCase(Locale.ROOT).replace("->", "_");
    }

    private void register() {
        MetricsSource s = source;
        counter("kvbm.requested.blocks", "blocks requested by every request (the hit rates' denominator)",
                MetricsSource::requestedBlocks);
        counter("kvbm.requested.tokens", "tokens requested, in whole blocks", MetricsSource::requestedTokens);
        for (Tier t : Tier.values()) {
            String tier = label(t);
            FunctionCounter.builder("kvbm.hit.blocks", s.owner(), x -> s.hitBlocks(t)).tag("tier", tier)
                    .description("requested blocks served from this tier (G1 hits, or onboarded from below)")
                    .register(registry);
            FunctionCounter.builder("kvbm.hit.tokens", s.owner(), x -> s.hitTokens(t)).tag("tier", tier)
                    .description("requested tokens served from this tier").register(registry);
            FunctionCounter.builder("kvbm.checksum.failures", s.owner(), x -> s.checksumFailures(t)).tag("tier", tier)
                    .description("onboarded blocks whose bytes failed their checksum (served as misses)")
                    .register(registry);
            FunctionCounter.builder("kvbm.evictions", s.owner(), x -> s.pool(t).map(PoolStatus::evictions).orElse(0L))
                    .tag("tier", tier).description("registered blocks evicted to make room").register(registry);
            Gauge.builder("kvbm.tier.degraded", s.owner(), x -> s.degraded(t) ? 1 : 0)
                    .tag("tier", tier).description("1 while the tier is degraded by repeated failed transfers")
                    .register(registry);
            for (String state : POOL_STATES) {
                Gauge.builder("kvbm.pool.blocks", s.owner(), x -> s.pool(t).map(p -> poolCount(p, state)).orElse(0))
                        .tags("tier", tier, "state", state).description("blocks of the tier's pool by state")
                        .register(registry);
            }
        }
        for (String path : PATHS) {
            registerPath(path);
        }
        s.pathStats().keySet().forEach(this::registerPath);
        for (String reason : s.skipCounts().keySet()) {
            FunctionCounter.builder("kvbm.offload.skipped", s.owner(), x -> s.skipCounts().getOrDefault(reason, 0L))
                    .tag("reason", reason).description("offloads not done, by reason").register(registry);
        }
        // Dynamo's names (lib/llm/src/block_manager/metrics_kvbm.rs).
        gauge("kvbm.matched.tokens", "tokens matched in any tier (Dynamo)", MetricsSource::matchedTokens);
        gauge("kvbm.offload.blocks.d2h", "blocks offloaded G1 -> G2 (Dynamo)", x -> blocks(x, "G1->G2"));
        gauge("kvbm.offload.blocks.h2d", "blocks offloaded G2 -> G3 (Dynamo)", x -> blocks(x, "G2->G3"));
        gauge("kvbm.offload.blocks.d2d", "blocks offloaded G1 -> G3 (Dynamo)", x -> blocks(x, "G1->G3"));
        gauge("kvbm.onboard.blocks.h2d", "blocks onboarded G2 -> G1 (Dynamo)", x -> blocks(x, "G2->G1"));
        gauge("kvbm.onboard.blocks.d2d", "blocks onboarded G3 -> G1 (Dynamo)", x -> blocks(x, "G3->G1"));
        gauge("kvbm.host.cache.hit.rate", "G2 hits / requested blocks (Dynamo)", x -> rate(x, Tier.G2));
        gauge("kvbm.disk.cache.hit.rate", "G3 hits / requested blocks (Dynamo)", x -> rate(x, Tier.G3));
    }

    private void registerPath(String path) {
        String label = pathLabel(path);
        if (transferTimers.containsKey(label)) {
            return;
        }
        FunctionCounter.builder("kvbm.transfer.bytes", source.owner(),
                        x -> stats(source, path).map(PathStats::bytes).orElse(0L))
                .tag("path", label).baseUnit("bytes").description("bytes moved on the path").register(registry);
        FunctionCounter.builder("kvbm.transfer.failures", source.owner(),
                        x -> stats(source, path).map(PathStats::failures).orElse(0L))
                .tag("path", label).description("transfers on the path that failed").register(registry);
        Timer timer = Timer.builder("kvbm.transfer").tag("path", label).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(1_000)).maximumExpectedValue(Duration.ofSeconds(30))
                .description("duration of each transfer on the path").register(registry);
        transferTimers.put(label, timer);
        stats(source, path).ifPresent(p -> p.observe((name, nanos, blocks, bytes, ok) -> timer.record(nanos,
                TimeUnit.NANOSECONDS)));
    }

    private void counter(String name, String description, ToDoubleFunction<MetricsSource> f) {
        FunctionCounter.builder(name, source.owner(), x -> f.applyAsDouble(source)).description(description)
                .register(registry);
    }

    private void gauge(String name, String description, ToDoubleFunction<MetricsSource> f) {
        Gauge.builder(name, source.owner(), x -> f.applyAsDouble(source)).description(description).register(registry);
    }

    private static Optional<PathStats> stats(MetricsSource s, String path) {
        return Optional.ofNullable(s.pathStats().get(path));
    }

    private static double blocks(MetricsSource s, String path) {
        return stats(s, path).map(PathStats::blocks).orElse(0L);
    }

    private static double rate(MetricsSource s, Tier tier) {
        double requested = s.requestedBlocks();
        return requested == 0 ? 0 : s.hitBlocks(tier) / requested;
    }

    private static int poolCount(PoolStatus s, String state) {
        return switch (state) {
            case "free" -> s.free();
            case "inactive" -> s.inactive();
            case "active" -> s.active();
            case "in_flight" -> s.inFlight();
            default -> throw new IllegalArgumentException(state);
        };
    }
}
