package dev.kvbm.core.providers;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.Tier;
import dev.kvbm.api.config.ConfigKeys;
import dev.kvbm.api.spi.EngineConnector;
import dev.kvbm.api.spi.KvEventPublisherProvider;
import dev.kvbm.api.spi.HostMemoryRegistrar;
import dev.kvbm.api.spi.HostMemoryRegistrarProvider;
import dev.kvbm.api.spi.KvbmProvider;
import dev.kvbm.api.spi.LayoutProvider;
import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.spi.ProviderNames;
import dev.kvbm.api.spi.StorageKind;
import dev.kvbm.api.spi.TierConfig;
import dev.kvbm.api.spi.TierProvider;
import dev.kvbm.api.spi.TransferEngineProvider;
import dev.kvbm.api.spi.TransportProvider;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Every tier, transfer-engine and transport provider on the module path (or class path), with
 * selection by name, an exclude list, and the reason each unusable provider was skipped.
 *
 * <p>The exclude list comes from the {@code kvbm.provider.exclude} system property (comma-separated
 * names) plus whatever the caller adds; an excluded provider is listed but never selected.
 */
public final class ProviderRegistry {

    private final List<TierProvider> tiers;
    private final List<TransferEngineProvider> engines;
    private final List<TransportProvider> transports;
    private final List<EngineConnector> connectors;
    private final List<KvEventPublisherProvider> eventPublishers;
    private final List<HostMemoryRegistrarProvider> registrars;
    private final List<LayoutProvider> layouts;
    private final Set<String> excluded;

    private ProviderRegistry(List<TierProvider> tiers, List<TransferEngineProvider> engines,
                             List<TransportProvider> transports, List<EngineConnector> connectors,
                             List<KvEventPublisherProvider> eventPublishers,
                             List<HostMemoryRegistrarProvider> registrars, List<LayoutProvider> layouts,
                             Set<String> excluded) {
        this.tiers = List.copyOf(tiers);
        this.engines = List.copyOf(engines);
        this.transports = List.copyOf(transports);
        this.connectors = List.copyOf(connectors);
        this.eventPublishers = List.copyOf(eventPublishers);
        this.registrars = List.copyOf(registrars);
        this.layouts = List.copyOf(layouts);
        this.excluded = Set.copyOf(excluded);
        checkUniqueNames();
    }

    /** Loads every provider visible to this module; excludes the system property's names and {@code extraExcluded}. */
    public static ProviderRegistry load(Set<String> extraExcluded) {
        Set<String> excluded = new LinkedHashSet<>(parseNames(System.getProperty(ConfigKeys.PROVIDER_EXCLUDE, "")));
        excluded.addAll(extraExcluded);
        return new ProviderRegistry(loadAll(TierProvider.class), loadAll(TransferEngineProvider.class),
                loadAll(TransportProvider.class), loadAll(EngineConnector.class),
                loadAll(KvEventPublisherProvider.class), loadAll(HostMemoryRegistrarProvider.class),
                loadAll(LayoutProvider.class), excluded);
    }

    public static ProviderRegistry load() {
        return load(Set.of());
    }

    /** A registry of the layout providers alone: layout math loads no tier, engine or native library. */
    public static ProviderRegistry loadLayouts() {
        return new ProviderRegistry(List.of(), List.of(), List.of(), List.of(), List.of(), List.of(),
                loadAll(LayoutProvider.class), Set.of());
    }

    /** A registry over given providers (tests, embedding with an explicit set). */
    public static ProviderRegistry of(List<TierProvider> tiers, List<TransferEngineProvider> engines,
                                      List<TransportProvider> transports, Set<String> excluded) {
        return new ProviderRegistry(tiers, engines, transports, List.of(), List.of(), List.of(), builtInLayouts(),
                excluded);
    }

    /** A registry over given providers, inference-engine connectors included. */
    public static ProviderRegistry of(List<TierProvider> tiers, List<TransferEngineProvider> engines,
                                      List<TransportProvider> transports, List<EngineConnector> connectors,
                                      Set<String> excluded) {
        return new ProviderRegistry(tiers, engines, transports, connectors, List.of(), List.of(), builtInLayouts(),
                excluded);
    }

    /** This registry with {@code registrars} as its host-memory registrar providers (tests, embedding). */
    public ProviderRegistry withHostRegistrars(List<HostMemoryRegistrarProvider> registrars) {
        return new ProviderRegistry(tiers, engines, transports, connectors, eventPublishers, registrars, layouts,
                excluded);
    }

    /**
     * The registrar the host tiers built after {@code deviceTier} hand their pinned memory to: the one of the usable
     * registrar provider serving the tier provider {@code deviceProvider}, or {@link HostMemoryRegistrar#NONE}.
     */
    public HostMemoryRegistrar hostRegistrar(String deviceProvider, TierConfig deviceTier) {
        for (HostMemoryRegistrarProvider p : registrars) {
            if (p.deviceTier().equals(deviceProvider) && !excluded.contains(p.name()) && p.isAvailable()) {
                return p.create(deviceTier);
            }
        }
        return HostMemoryRegistrar.NONE;
    }

    private static List<LayoutProvider> builtInLayouts() {
        return LayoutType.builtIns().stream().map(LayoutType::provider).toList();
    }

    private static <P> List<P> loadAll(Class<P> type) {
        List<P> found = new ArrayList<>();
        // A provider whose construction fails is a broken jar, not a reason to lose the others.
        ServiceLoader.load(type, ProviderRegistry.class.getClassLoader()).stream().forEach(p -> {
            try {
                found.add(p.get());
            } catch (java.util.ServiceConfigurationError | RuntimeException | LinkageError e) {
                System.getLogger(ProviderRegistry.class.getName()).log(System.Logger.Level.WARNING,
                        "skipping provider " + p.type().getName() + ": " + e);
            }
        });
        return found;
    }

    static Set<String> parseNames(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .collect(Collectors.toCollection(LinkedHashSet::new));
    }

    private void checkUniqueNames() {
        Set<String> seen = new LinkedHashSet<>();
        List<KvbmProvider> named = new ArrayList<>(all());
        named.addAll(layouts);
        for (KvbmProvider p : named) {
            if (!seen.add(categoryOf(p) + ":" + p.name())) {
                throw new KvbmException(ErrorCode.INVALID_CONFIG, "two " + categoryOf(p) + " providers are named '"
                        + p.name() + "' (" + moduleOf(p) + "); provider names must be unique");
            }
        }
    }

    private List<KvbmProvider> all() {
        List<KvbmProvider> all = new ArrayList<>(tiers);
        all.addAll(engines);
        all.addAll(transports);
        all.addAll(connectors);
        all.addAll(eventPublishers);
        return all;
    }

    /** Every provider found, each with whether it can be used and why not. */
    public List<ProviderStatus> statuses() {
        return all().stream().map(this::status).toList();
    }

    private ProviderStatus status(KvbmProvider p) {
        Optional<String> cause;
        boolean usable;
        if (excluded.contains(p.name())) {
            usable = false;
            cause = Optional.of("excluded by " + ConfigKeys.PROVIDER_EXCLUDE);
        } else {
            usable = p.isAvailable();
            cause = usable ? Optional.empty()
                    : Optional.of(p.unavailabilityCause().orElse("the provider reports it is unavailable without a cause"));
        }
        return new ProviderStatus(categoryOf(p), p.name(), servesOf(p), moduleOf(p), p.description(), usable, cause);
    }

    private boolean usable(KvbmProvider p) {
        return !excluded.contains(p.name()) && p.isAvailable();
    }

    public List<TierProvider> tierProviders() {
        return tiers;
    }

    public List<TransferEngineProvider> engineProviders() {
        return engines;
    }

    public List<TransportProvider> transportProviders() {
        return transports;
    }

    public List<EngineConnector> connectors() {
        return connectors;
    }

    /** Every layout provider found: kvbm's built-ins ({@code fc}, {@code ls-outer}, {@code ls-block}, HiCache's) and third parties'. */
    public List<LayoutProvider> layoutProviders() {
        return layouts;
    }

    /** The layout provider named {@code name}; fails naming every layout found. */
    public LayoutProvider layout(String name) {
        for (LayoutProvider p : layouts) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        throw KvbmException.invalid("layoutType", name, "one of "
                + layouts.stream().map(LayoutProvider::name).collect(Collectors.joining(", ")));
    }

    /** The {@link LayoutType} of the layout named {@code name} (Dynamo's three keep their constants). */
    public LayoutType layoutType(String name) {
        return layout(name).type();
    }

    /** The KV event publisher named {@code name} ({@code zmq}: vLLM's format over ZeroMQ). */
    public KvEventPublisherProvider eventPublisher(String name) {
        return usableByName("events", eventPublishers, name);
    }

    /** The inference-engine connector named {@code name} ({@code llama.cpp}, {@code jlama}). */
    public EngineConnector connector(String name) {
        return usableByName("connector", connectors, name);
    }

    /**
     * The connector whose engine reads {@code format} models ({@code kvbm model --format}), available or
     * not: writing a model needs no native library.
     */
    public EngineConnector connectorForFormat(String format) {
        for (EngineConnector c : connectors) {
            if (c.modelFormat().equals(format)) {
                return c;
            }
        }
        String known = connectors.stream().map(EngineConnector::modelFormat).collect(Collectors.joining(", "));
        throw KvbmException.forField(ErrorCode.PROVIDER_NOT_FOUND, "format", "no engine connector writes '" + format
                + "' models (found: " + (known.isEmpty() ? "none" : known) + "); gguf comes with kvbm-engine-llamacpp, "
                + "jlama with kvbm-engine-jlama");
    }

    /** The tier provider named {@code name}; fails when unknown, excluded or unavailable, saying which. */
    public TierProvider tier(String name) {
        return usableByName("tier", tiers, name);
    }

    /**
     * The usable G4 provider that opens {@code uri}'s scheme ({@code redis://}, {@code s3://}...); fails
     * naming the schemes found when none does.
     */
    public dev.kvbm.api.spi.RemoteTierProvider remoteTier(java.net.URI uri) {
        List<dev.kvbm.api.spi.RemoteTierProvider> remotes = tiers.stream()
                .filter(p -> p instanceof dev.kvbm.api.spi.RemoteTierProvider)
                .map(p -> (dev.kvbm.api.spi.RemoteTierProvider) p).toList();
        for (dev.kvbm.api.spi.RemoteTierProvider p : remotes) {
            if (p.accepts(uri)) {
                usableByName("tier", tiers, p.name()); // fails when excluded or unavailable, saying which
                return p;
            }
        }
        String schemes = remotes.stream().flatMap(p -> p.schemes().stream()).sorted().collect(Collectors.joining(", "));
        throw KvbmException.forField(ErrorCode.PROVIDER_NOT_FOUND, "g4", "no G4 provider opens '" + uri.getScheme()
                + "://' URIs (found: " + (schemes.isEmpty() ? "none" : schemes) + "); redis://, rediss:// and "
                + "redis-cluster:// come with kvbm-remote-redis (module dev.kvbm.tier.redis)");
    }

    /** The transfer-engine provider named {@code name}. */
    public TransferEngineProvider engine(String name) {
        return usableByName("engine", engines, name);
    }

    /** The transport provider named {@code name}. */
    public TransportProvider transport(String name) {
        return usableByName("transport", transports, name);
    }

    /** The usable provider of highest priority that serves {@code tier} with local storage. */
    public Optional<TierProvider> bestTier(Tier tier) {
        return tiers.stream().filter(p -> p.tiers().contains(tier)).filter(p -> p.storageKind() != StorageKind.REMOTE)
                .filter(this::usable)
                .max(Comparator.comparingInt(TierProvider::priority));
    }

    /** The usable engine with the highest preference for the path {@code source -> target}. */
    public Optional<TransferEngineProvider> bestEngine(StorageKind source, StorageKind target) {
        return engines.stream().filter(p -> p.preference(source, target) > TransferEngineProvider.UNSUPPORTED)
                .filter(this::usable).max(Comparator.comparingInt(p -> p.preference(source, target)));
    }

    private <P extends KvbmProvider> P usableByName(String category, List<P> providers, String name) {
        for (P p : providers) {
            if (p.name().equals(name)) {
                if (excluded.contains(name)) {
                    throw KvbmException.forField(ErrorCode.PROVIDER_UNAVAILABLE, "provider",
                            category + " provider '" + name + "' is excluded by " + ConfigKeys.PROVIDER_EXCLUDE);
                }
                if (!p.isAvailable()) {
                    throw KvbmException.forField(ErrorCode.PROVIDER_UNAVAILABLE, "provider", category + " provider '"
                            + name + "' is unavailable: " + p.unavailabilityCause().orElse("no cause given"));
                }
                return p;
            }
        }
        String known = providers.stream().map(KvbmProvider::name).collect(Collectors.joining(", "));
        String hint = ProviderNames.suppliedBy(name)
                .map(m -> "; it is supplied by " + m + ", which is not on the module path").orElse("");
        throw KvbmException.forField(ErrorCode.PROVIDER_NOT_FOUND, "provider", "no " + category + " provider named '"
                + name + "' (found: " + (known.isEmpty() ? "none" : known) + ")" + hint);
    }

    private static String categoryOf(KvbmProvider p) {
        return switch (p) {
            case TierProvider t -> "tier";
            case TransferEngineProvider e -> "engine";
            case TransportProvider t -> "transport";
            case EngineConnector c -> "connector";
            case KvEventPublisherProvider k -> "events";
            case LayoutProvider l -> "layout";
            default -> "provider";
        };
    }

    private static String servesOf(KvbmProvider p) {
        return switch (p) {
            case TierProvider t -> t.tiers().stream().map(Tier::name).sorted().collect(Collectors.joining(","))
                    + " (" + t.storageKind() + ")";
            case TransferEngineProvider e -> e.paths().stream().map(Object::toString).collect(Collectors.joining(" "));
            case EngineConnector c -> "inference engine";
            case KvEventPublisherProvider k -> "KV events";
            default -> "leader/worker messaging";
        };
    }

    private static String moduleOf(KvbmProvider p) {
        Module m = p.getClass().getModule();
        return m.isNamed() ? m.getName() : "class path";
    }
}
