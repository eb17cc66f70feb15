package dev.kvbm.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.spi.LayoutProvider;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Every layout kvbm ships passes the layout contract. */
class BuiltInLayoutContractsTest {

    static LayoutProvider builtIn(String name) {
        return LayoutType.builtIns().stream().map(LayoutType::provider).filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow();
    }

    @Test
    void theBuiltInsAreDynamosThreeAndHiCachesFour() {
        assertEquals(List.of("fc", "ls-outer", "ls-block", "hicache-layer-first", "hicache-page-first",
                "hicache-page-first-direct", "hicache-page-head"),
                LayoutType.builtIns().stream().map(LayoutType::shortName).toList());
    }

    /** The contract over the built-in provider {@code name}. */
    abstract class BuiltIn extends LayoutContract {
        private final LayoutProvider provider;

        BuiltIn(String name) {
            provider = builtIn(name);
        }

        @Override
        protected LayoutProvider provider() {
            return provider;
        }
    }

    @Nested
    class FullyContiguous extends BuiltIn { FullyContiguous() { super("fc"); } }

    @Nested
    class LayerSeparateOuter extends BuiltIn { LayerSeparateOuter() { super("ls-outer"); } }

    @Nested
    class LayerSeparateBlock extends BuiltIn { LayerSeparateBlock() { super("ls-block"); } }

    @Nested
    class HiCacheLayerFirst extends BuiltIn { HiCacheLayerFirst() { super("hicache-layer-first"); } }

    @Nested
    class HiCachePageFirst extends BuiltIn { HiCachePageFirst() { super("hicache-page-first"); } }

    @Nested
    class HiCachePageFirstDirect extends BuiltIn { HiCachePageFirstDirect() { super("hicache-page-first-direct"); } }

    @Nested
    class HiCachePageHead extends BuiltIn { HiCachePageHead() { super("hicache-page-head"); } }
}
