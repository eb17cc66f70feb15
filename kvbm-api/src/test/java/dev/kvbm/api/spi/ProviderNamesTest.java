package dev.kvbm.api.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProviderNamesTest {

    static List<String> names() throws IllegalAccessException {
        List<String> names = new ArrayList<>();
        for (Field f : ProviderNames.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                names.add((String) f.get(null));
            }
        }
        return names;
    }

    @Test
    void everyNameFollowsTheConventionExceptTheKeptSpellings() throws IllegalAccessException {
        List<String> names = names();
        assertEquals(14, names.size(), names.toString());
        Set<String> kept = Set.of(ProviderNames.IO_URING, ProviderNames.LLAMA_CPP);
        for (String name : names) {
            assertEquals(!kept.contains(name), ProviderNames.followsConvention(name), name);
        }
    }

    @Test
    void theConventionIsLowerCaseWordsJoinedBySingleHyphens() {
        assertTrue(ProviderNames.followsConvention("host-pinned"));
        assertTrue(ProviderNames.followsConvention("s3"));
        for (String bad : new String[] {"Host", "io-", "-x", "a--b", "a_b", "a.b", "", " a"}) {
            assertFalse(ProviderNames.followsConvention(bad), bad);
        }
        assertFalse(ProviderNames.followsConvention(null));
    }

    @Test
    void everyShippedNameSaysWhichArtifactSuppliesIt() throws IllegalAccessException {
        for (String name : names()) {
            assertTrue(ProviderNames.suppliedBy(name).orElseThrow().startsWith("kvbm-"), name);
        }
        assertEquals("kvbm-disk-gds (module dev.kvbm.tier.disk)", ProviderNames.suppliedBy("io_uring").orElseThrow());
        assertTrue(ProviderNames.suppliedBy("warp-drive").isEmpty());
    }
}
