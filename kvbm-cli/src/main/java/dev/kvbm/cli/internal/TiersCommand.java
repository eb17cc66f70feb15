package dev.kvbm.cli.internal;

import dev.kvbm.api.Tier;
import dev.kvbm.core.providers.ProviderRegistry;
import dev.kvbm.core.providers.ProviderStatus;
import java.io.PrintStream;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kvbm tiers}: every provider found, whether it can run here, and why not. */
@Command(name = "tiers", description = "List every tier, transfer-engine and transport provider found, available or not, "
        + "and why not.", customSynopsis = "kvbm tiers [--exclude name,...] [--json]")
final class TiersCommand extends Subcommand {
    @Option(names = "--exclude", paramLabel = "name,...", description = "leave these providers out (adds to "
            + "-Dkvbm.provider.exclude)")
    String exclude;
    @Option(names = "--json", arity = "0", description = "print one JSON object on one line")
    boolean json;

    @Override
    public Integer call() {
        Set<String> exclude = this.exclude == null ? Set.of() : new java.util.LinkedHashSet<>(List.of(this.exclude.split(",", -1)));
        ProviderRegistry registry = ProviderRegistry.load(exclude);
        List<ProviderStatus> statuses = registry.statuses();
        checkExcluded(exclude, statuses);
        if (json) {
            JsonLine.print(out, g -> {
                g.writeStartObject();
                g.writeArrayFieldStart("providers");
                for (ProviderStatus s : statuses) {
                    g.writeStartObject();
                    g.writeStringField("category", s.category());
                    g.writeStringField("name", s.name());
                    g.writeStringField("serves", s.serves());
                    g.writeStringField("module", s.module());
                    g.writeBooleanField("available", s.available());
                    g.writeStringField("cause", s.cause().orElse(null));
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeObjectFieldStart("tiers");
                for (Tier t : Tier.values()) {
                    g.writeStringField(t.name(), registry.bestTier(t).map(p -> p.name()).orElse(null));
                }
                g.writeEndObject();
                g.writeEndObject();
            });
            return Cli.OK;
        }
        if (statuses.isEmpty()) {
            out.println("no tier, engine or transport providers found on the module path.");
            out.println("Tier modules: kvbm-host-pinned (G2, and G1 without a GPU), kvbm-disk-gds (G3), "
                    + "kvbm-device-cuda (G1); add their jars to the distribution's lib/.");
        } else {
            out.printf("%-10s %-14s %-9s %-32s %s%n", "category", "name", "available", "serves", "module / cause");
            for (ProviderStatus s : statuses) {
                out.printf("%-10s %-14s %-9s %-32s %s%n", s.category(), s.name(), s.available() ? "yes" : "no",
                        s.serves(), s.cause().map(c -> "unavailable: " + c).orElse(s.module()));
            }
        }
        out.println();
        for (Tier t : Tier.values()) {
            out.printf("%s (%s): %s%n", t, t.role(),
                    registry.bestTier(t).map(p -> "served by " + p.name()).orElse("no available provider"));
        }
        return Cli.OK;
    }

    /** A name that is no provider's is a typo, not a request: say so with the names there are. */
    static void checkExcluded(Set<String> exclude, List<ProviderStatus> statuses) {
        List<String> known = statuses.stream().map(ProviderStatus::name).distinct().sorted().toList();
        for (String name : exclude) {
            if (!known.contains(name)) {
                throw new UsageException("--exclude: no provider is named '" + name + "' (known: "
                        + String.join(", ", known) + ")");
            }
        }
    }
}
