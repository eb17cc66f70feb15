package dev.kvbm.cli.internal;

import dev.kvbm.api.layout.BlockLayout;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.layout.MemoryRegion;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/** {@code kvbm layout}: the address math of one layout, and where each (block, layer, outer) page lives. */
final class LayoutCommand implements Command {

    @Override
    public String name() {
        return "layout";
    }

    @Override
    public String summary() {
        return "Show a KV block layout: strides, sizes, allocation per storage region, and each page's region.";
    }

    @Override
    public String usage() {
        return "--type fc|ls-outer|ls-block --blocks N --layers L --outer O --page P --inner I --dtype-bytes D "
                + "[--alignment A] [--region b,l,o] [--json]";
    }

    @Override
    public List<Args.Spec> options() {
        return List.of(
                Args.Spec.value("--type", "fc|ls-outer|ls-block", "FullyContiguous, or LayerSeparate outer- or block-contiguous"),
                Args.Spec.value("--blocks", "N", "number of blocks (>= 1)"),
                Args.Spec.value("--layers", "L", "number of layers (>= 1)"),
                Args.Spec.value("--outer", "O", "outer dimension: 2 = K and V, 1 = MLA/fused"),
                Args.Spec.value("--page", "P", "tokens per block (>= 1)"),
                Args.Spec.value("--inner", "I", "elements per token per outer per layer (>= 1)"),
                Args.Spec.value("--dtype-bytes", "D", "bytes per element (default 2)"),
                Args.Spec.value("--alignment", "A", "alignment of block starts in bytes, a power of two (default 1)"),
                Args.Spec.value("--region", "b,l,o", "show only the region of this block, layer and outer index"),
                Args.Spec.flag("--json", "print one JSON object"));
    }

    @Override
    public Map<String, String> fieldOptions() {
        return Map.ofEntries(Map.entry("numBlocks", "--blocks"), Map.entry("numLayers", "--layers"),
                Map.entry("outerDim", "--outer"), Map.entry("pageSize", "--page"), Map.entry("innerDim", "--inner"),
                Map.entry("alignment", "--alignment"), Map.entry("dtypeWidthBytes", "--dtype-bytes"),
                Map.entry("layoutType", "--type"), Map.entry("block", "--region"), Map.entry("layer", "--region"),
                Map.entry("outer", "--region"));
    }

    @Override
    public int run(Args args, PrintStream out) {
        LayoutType type = LayoutType.parse(args.required("--type"));
        // Range checks belong to LayoutConfig; here only "is it an integer".
        LayoutConfig config = new LayoutConfig(
                args.integer("--blocks", null),
                args.integer("--layers", null),
                args.integer("--outer", null),
                args.integer("--page", null),
                args.integer("--inner", null),
                args.integer("--alignment", LayoutConfig.DEFAULT_ALIGNMENT),
                args.integer("--dtype-bytes", LayoutConfig.DEFAULT_DTYPE_WIDTH_BYTES));
        BlockLayout layout = BlockLayout.of(config, type);
        int[] only = args.string("--region").map(LayoutCommand::parseRegion).orElse(null);
        if (only != null) {
            layout.memoryRegion(only[0], only[1], only[2]); // validates before anything is printed
        }
        if (args.flag("--json")) {
            printJson(layout, only, out);
        } else {
            printText(layout, only, out);
        }
        return Cli.OK;
    }

    private static int[] parseRegion(String text) {
        String[] parts = text.split(",", -1);
        if (parts.length != 3) {
            throw new UsageException("--region must be three indices block,layer,outer (got '" + text + "')");
        }
        return new int[] {
            Args.parseInt("--region block", parts[0], 0, Integer.MAX_VALUE),
            Args.parseInt("--region layer", parts[1], 0, Integer.MAX_VALUE),
            Args.parseInt("--region outer", parts[2], 0, Integer.MAX_VALUE)};
    }

    /** Visits the requested region, or every region in (block, layer, outer) order. */
    private static void forEachRegion(BlockLayout layout, int[] only, RegionVisitor visitor) throws IOException {
        if (only != null) {
            visitor.visit(only[0], only[1], only[2], layout.memoryRegion(only[0], only[1], only[2]));
            return;
        }
        LayoutConfig c = layout.config();
        for (int b = 0; b < c.numBlocks(); b++) {
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
            forEachRegion(layout, only, (b, l, o, r) -> {
                g.writeStartObject();
                g.writeNumberField("block", b);
                g.writeNumberField("layer", l);
                g.writeNumberField("outer", o);
                g.writeNumberField("storage", r.storageIndex());
                g.writeNumberField("offset", r.offset());
                g.writeNumberField("size", r.size());
                g.writeEndObject();
            });
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    private static void printText(BlockLayout layout, int[] only, PrintStream out) {
        LayoutConfig c = layout.config();
        out.printf("layout %s: %d blocks x %d layers x %d outer x %d tokens x %d inner x %d bytes%n",
                layout.type().shortName(), c.numBlocks(), c.numLayers(), c.outerDim(), c.pageSize(), c.innerDim(),
                c.dtypeWidthBytes());
        out.printf("  %-24s %,d%n", "memoryRegionSize", layout.memoryRegionSize());
        out.printf("  %-24s %,d%n", "outerStride", layout.outerStride());
        out.printf("  %-24s %,d%s%n", "layerStride", layout.layerStride(),
                layout.layerStride() == 0 ? "  (each layer is its own storage region)" : "");
        out.printf("  %-24s %,d%n", "blockStride", layout.blockStride());
        out.printf("  %-24s %,d%n", "blockDataBytes", c.blockDataBytes());
        out.printf("  %-24s %,d%n", "layoutDataBytes", layout.layoutDataBytes());
        out.printf("  %-24s %,d per storage region x %d region(s) (alignment %d)%n", "requiredAllocationSize",
                layout.requiredAllocationSize(), layout.numStorageRegions(), c.alignment());
        out.println();
        out.printf("  %6s %6s %6s %8s %14s %10s%n", "block", "layer", "outer", "storage", "offset", "size");
        try {
            forEachRegion(layout, only, (b, l, o, r) ->
                    out.printf("  %6d %6d %6d %8d %14d %10d%n", b, l, o, r.storageIndex(), r.offset(), r.size()));
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a PrintStream does not throw
        }
    }
}
