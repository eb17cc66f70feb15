package dev.kvbm.cli.internal;

import dev.kvbm.api.layout.BlockLayout;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.layout.MemoryRegion;
import dev.kvbm.api.spi.LayoutProvider;
import dev.kvbm.core.providers.ProviderRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kvbm layout}: the address math of one layout, and where each (block, layer, outer) page lives; without
 * options, every layout provider found.
 */
@Command(name = "layout", description = "Show a KV block layout: strides, sizes, allocation per storage region, and each "
        + "page's region (its runs when strided); without options, list every layout provider.",
        customSynopsis = "kvbm layout [--type NAME --blocks N --layers L --outer O --page P --inner I --dtype-bytes D "
        + "[--heads H] [--alignment A] [--region b,l,o | --regions]] [--json]")
final class LayoutCommand extends Subcommand {
    @Option(names = "--type", paramLabel = "NAME",
            description = "a layout provider: fc, ls-outer, ls-block, hicache-layer-first, hicache-page-first, "
                    + "hicache-page-first-direct, hicache-page-head, or a third party's (kvbm layout lists them)")
    String type;
    @Option(names = "--blocks", paramLabel = "N", description = "number of blocks (>= 1, required)")
    Integer blocks;
    @Option(names = "--layers", paramLabel = "L", description = "number of layers (>= 1, required)")
    Integer layers;
    @Option(names = "--outer", paramLabel = "O", description = "outer dimension: 2 = K and V, 1 = MLA/fused (required)")
    Integer outer;
    @Option(names = "--page", paramLabel = "P", description = "tokens per block (>= 1, required)")
    Integer page;
    @Option(names = "--inner", paramLabel = "I", description = "elements per token per outer per layer (>= 1, required)")
    Integer inner;
    @Option(names = "--dtype-bytes", paramLabel = "D", defaultValue = "2", description = "bytes per element")
    int dtypeBytes;
    @Option(names = "--heads", paramLabel = "H", defaultValue = "0",
            description = "heads per token, a divisor of --inner (0: no head split; hicache-page-head needs it)")
    int heads;
    @Option(names = "--alignment", paramLabel = "A", defaultValue = "1",
            description = "alignment of block starts in bytes, a power of two")
    int alignment;
    @Option(names = "--region", paramLabel = "b,l,o", description = "show only the region of this block, layer and outer index")
    String region;
    @Option(names = "--regions", arity = "0", description = "list every region in the text output (--json always has them)")
    boolean regions;
    @Option(names = "--json", arity = "0", description = "print one JSON object on one line")
    boolean json;

    @Override
    public Map<String, String> fieldOptions() {
        return Map.ofEntries(Map.entry("numBlocks", "--blocks"), Map.entry("numLayers", "--layers"),
                Map.entry("outerDim", "--outer"), Map.entry("pageSize", "--page"), Map.entry("innerDim", "--inner"),
                Map.entry("alignment", "--alignment"), Map.entry("dtypeWidthBytes", "--dtype-bytes"),
                Map.entry("numHeads", "--heads"),
                Map.entry("layoutType", "--type"), Map.entry("block", "--region"), Map.entry("layer", "--region"),
                Map.entry("outer", "--region"));
    }

    @Override
    public Integer call() {
        ProviderRegistry registry = ProviderRegistry.loadLayouts();
        if (type == null && blocks == null && layers == null && outer == null && page == null && inner == null
                && region == null && !regions) {
            printProviders(registry, json, out);
            return Cli.OK;
        }
        LayoutType layoutType = registry.layoutType(OptionChecks.required("--type", type));
        // Range checks belong to LayoutConfig; here only "is it given".
        LayoutConfig config = new LayoutConfig(OptionChecks.required("--blocks", blocks),
                OptionChecks.required("--layers", layers), OptionChecks.required("--outer", outer),
                OptionChecks.required("--page", page), OptionChecks.required("--inner", inner), alignment, dtypeBytes,
                heads);
        BlockLayout layout = BlockLayout.of(config, layoutType);
        int[] only = region == null ? null : parseRegion(region);
        if (only != null) {
            layout.memoryRegion(only[0], only[1], only[2]); // validates before anything is printed
        }
        try {
            if (json) {
                printJson(layout, only, out);
            } else {
                printText(layout, only, regions || only != null, out);
            }
        } catch (OutputClosed closed) {
            return Cli.OK; // the reader went away (| head): stop, as a pipeline expects
        }
        return Cli.OK;
    }

    /** Every layout provider: its name, what it lays out, and the module that supplies it. */
    private static void printProviders(ProviderRegistry registry, boolean json, PrintStream out) {
        if (json) {
            JsonLine.print(out, g -> {
                g.writeStartObject();
                g.writeArrayFieldStart("layouts");
                for (LayoutProvider p : registry.layoutProviders()) {
                    g.writeStartObject();
                    g.writeStringField("name", p.name());
                    g.writeStringField("description", p.description());
                    g.writeStringField("module", moduleOf(p));
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            });
            return;
        }
        out.println("layout providers (kvbm layout --type NAME --blocks N --layers L --outer O --page P --inner I):");
        for (LayoutProvider p : registry.layoutProviders()) {
            out.printf("  %-26s %s [%s]%n", p.name(), p.description(), moduleOf(p));
        }
    }

    private static String moduleOf(LayoutProvider p) {
        Module m = p.getClass().getModule();
        return m.isNamed() ? m.getName() : "class path";
    }

    private static int[] parseRegion(String text) {
        String[] parts = text.split(",", -1);
        if (parts.length != 3) {
            throw new UsageException("--region must be three indices block,layer,outer (got '" + text + "')");
        }
        return new int[] {index("--region block", parts[0]), index("--region layer", parts[1]),
            index("--region outer", parts[2])};
    }

    private static int index(String what, String text) {
        try {
            return OptionChecks.range(what, OptionChecks.integer(text), 0, Integer.MAX_VALUE);
        } catch (picocli.CommandLine.TypeConversionException e) {
            throw new UsageException(what + " " + e.getMessage());
        }
    }

    /** The output stream failed (a closed pipe): a PrintStream only says so through checkError(). */
    private static final class OutputClosed extends RuntimeException {
        OutputClosed() {
            super(null, null, false, false);
        }
    }

    /**
     * Visits the requested region, or every region in (block, layer, outer) order, and stops once {@code out}
     * can no longer be written (checked once per block).
     */
    private static void forEachRegion(BlockLayout layout, int[] only, PrintStream out, RegionVisitor visitor)
            throws IOException {
        if (only != null) {
            visitor.visit(only[0], only[1], only[2], layout.memoryRegion(only[0], only[1], only[2]));
            return;
        }
        LayoutConfig c = layout.config();
        for (int b = 0; b < c.numBlocks(); b++) {
            if (out.checkError()) {
                throw new OutputClosed();
            }
            for (int l = 0; l < c.numLayers(); l++) {
                for (int o = 0; o < c.outerDim(); o++) {
                    visitor.visit(b, l, o, layout.memoryRegion(b, l, o));
                }
            }
        }
    }

    private interface RegionVisitor {
        void visit(int block, int layer, int outer, MemoryRegion region) throws IOException;
    }

    private static void printJson(BlockLayout layout, int[] only, PrintStream out) {
        LayoutConfig c = layout.config();
        JsonLine.print(out, g -> {
            g.writeStartObject();
            g.writeStringField("type", layout.type().shortName());
            g.writeNumberField("numBlocks", c.numBlocks());
            g.writeNumberField("numLayers", c.numLayers());
            g.writeNumberField("outerDim", c.outerDim());
            g.writeNumberField("pageSize", c.pageSize());
            g.writeNumberField("innerDim", c.innerDim());
            if (c.hasHeads()) {
                g.writeNumberField("numHeads", c.numHeads());
            }
            g.writeNumberField("dtypeWidthBytes", c.dtypeWidthBytes());
            g.writeNumberField("alignment", c.alignment());
            g.writeNumberField("memoryRegionSize", layout.memoryRegionSize());
            g.writeNumberField("outerStride", layout.outerStride());
            g.writeNumberField("layerStride", layout.layerStride());
            g.writeNumberField("blockStride", layout.blockStride());
            g.writeNumberField("layoutDataBytes", layout.layoutDataBytes());
            g.writeNumberField("requiredAllocationSize", layout.requiredAllocationSize());
            g.writeNumberField("numStorageRegions", layout.numStorageRegions());
            g.writeNumberField("blockDataBytes", c.blockDataBytes());
            g.writeArrayFieldStart("regions");
            forEachRegion(layout, only, out, (b, l, o, r) -> {
                g.writeStartObject();
                g.writeNumberField("block", b);
                g.writeNumberField("layer", l);
                g.writeNumberField("outer", o);
                g.writeNumberField("storage", r.storageIndex());
                g.writeNumberField("offset", r.offset());
                g.writeNumberField("size", r.size());
                if (!r.contiguous()) { // runs of runBytes, then (count, stride) levels, innermost first
                    g.writeNumberField("runBytes", r.runBytes());
                    g.writeArrayFieldStart("levels");
                    writeLevel(g, r.innerCount(), r.innerStride());
                    if (r.outerCount() > 1) {
                        writeLevel(g, r.outerCount(), r.outerStride());
                    }
                    g.writeEndArray();
                }
                g.writeEndObject();
            });
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    private static void writeLevel(com.fasterxml.jackson.core.JsonGenerator g, int count, long stride) throws IOException {
        g.writeStartArray();
        g.writeNumber(count);
        g.writeNumber(stride);
        g.writeEndArray();
    }

    /** A page's runs for the text output: "-" when contiguous, else "RUN x COUNT@STRIDE[ x COUNT@STRIDE]". */
    private static String runs(MemoryRegion r) {
        if (r.contiguous()) {
            return "-";
        }
        String text = r.runBytes() + " x " + r.innerCount() + "@" + r.innerStride();
        return r.outerCount() > 1 ? text + " x " + r.outerCount() + "@" + r.outerStride() : text;
    }

    private static void printText(BlockLayout layout, int[] only, boolean withRegions, PrintStream out) {
        LayoutConfig c = layout.config();
        out.printf("layout %s: %d blocks x %d layers x %d outer x %d tokens x %d inner%s x %d bytes%n",
                layout.type().shortName(), c.numBlocks(), c.numLayers(), c.outerDim(), c.pageSize(), c.innerDim(),
                c.hasHeads() ? " (" + c.numHeads() + " heads x " + c.headDim() + ")" : "", c.dtypeWidthBytes());
        out.printf("  %-24s %,d%n", "memoryRegionSize", layout.memoryRegionSize());
        out.printf("  %-24s %,d%n", "outerStride", layout.outerStride());
        out.printf("  %-24s %,d%s%n", "layerStride", layout.layerStride(),
                layout.layerStride() == 0 ? "  (each layer is its own storage region)" : "");
        out.printf("  %-24s %,d%n", "blockStride", layout.blockStride());
        if (layout.runBytes() != layout.memoryRegionSize()) {
            out.printf("  %-24s %,d (each page is strided: %s)%n", "runBytes", layout.runBytes(),
                    runs(layout.memoryRegion(0, 0, 0)));
        }
        out.printf("  %-24s %,d%n", "blockDataBytes", c.blockDataBytes());
        out.printf("  %-24s %,d%n", "layoutDataBytes", layout.layoutDataBytes());
        out.printf("  %-24s %,d per storage region x %d region(s) (alignment %d)%n", "requiredAllocationSize",
                layout.requiredAllocationSize(), layout.numStorageRegions(), c.alignment());
        if (!withRegions) {
            out.printf("  %-24s %,d (list them with --regions, or one with --region b,l,o)%n", "regions",
                    (long) c.numBlocks() * c.numLayers() * c.outerDim());
            return;
        }
        out.println();
        boolean strided = layout.runBytes() != layout.memoryRegionSize();
        out.printf("  %6s %6s %6s %8s %14s %10s%s%n", "block", "layer", "outer", "storage", "offset", "size",
                strided ? "  runs (bytes x count@stride)" : "");
        try {
            forEachRegion(layout, only, out, (b, l, o, r) -> out.printf("  %6d %6d %6d %8d %14d %10d%s%n", b, l, o,
                    r.storageIndex(), r.offset(), r.size(), strided ? "  " + runs(r) : ""));
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a PrintStream does not throw
        }
    }
}
