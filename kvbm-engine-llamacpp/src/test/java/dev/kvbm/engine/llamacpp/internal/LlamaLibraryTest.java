package dev.kvbm.engine.llamacpp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.EngineOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the library is looked for, and what the connector says when it is not there or not the pinned one. */
class LlamaLibraryTest {

    @Test
    void anEmptyFolderMakesTheConnectorUnavailableWithTheCause(@TempDir Path empty) {
        LlamaCppConnector c = new LlamaCppConnector(new LlamaLibrary.Location(empty, "-Dkvbm.llamacpp.library.dir"));
        assertFalse(c.isAvailable());
        String cause = c.unavailabilityCause().orElseThrow();
        assertTrue(cause.contains("no libllama.v0.4.0.so in " + empty + " (from -Dkvbm.llamacpp.library.dir)"), cause);
        assertTrue(cause.contains("npm pack @node-llama-cpp/linux-x64@3.21.1"), cause);
        KvbmException e = assertThrows(KvbmException.class,
                () -> c.open(new EngineOptions(empty.resolve("m.gguf"), 1, 16)));
        assertEquals(ErrorCode.PROVIDER_UNAVAILABLE, e.code());
        assertTrue(e.getMessage().contains(cause), e.getMessage());
    }

    @Test
    void anotherVersionOfThePackageIsRefused(@TempDir Path dir) throws Exception {
        Files.createFile(dir.resolve(LlamaLibrary.LIBRARY_FILE));
        Files.writeString(dir.resolve("package.json"),
                "{\n  \"name\": \"@node-llama-cpp/linux-x64\",\n  \"version\": \"3.20.0\"\n}\n");
        LlamaCppConnector c = new LlamaCppConnector(new LlamaLibrary.Location(dir, "test"));
        assertFalse(c.isAvailable());
        String cause = c.unavailabilityCause().orElseThrow();
        assertTrue(cause.contains("version mismatch: expected npm @node-llama-cpp/linux-x64@3.21.1, got "
                + "@node-llama-cpp/linux-x64@3.20.0"), cause);
    }

    @Test
    void theSystemPropertyWinsAndTheDefaultIsBesideTheClasses(@TempDir Path dir) {
        String before = System.getProperty("kvbm.llamacpp.library.dir");
        try {
            System.setProperty("kvbm.llamacpp.library.dir", dir.toString());
            assertEquals(dir.toAbsolutePath(), LlamaLibrary.configured().folder());
            System.clearProperty("kvbm.llamacpp.library.dir");
            String target = System.getProperty("kvbm.llamacpp.test.target");
            if (System.getenv("KVBM_LLAMACPP_LIBRARY_DIR") == null && target != null) {
                // target/classes (in a build; lib/ in the distribution) -> its sibling llama.cpp
                assertEquals(Path.of(target, "llama.cpp").toAbsolutePath().normalize(), LlamaLibrary.configured().folder());
            }
        } finally {
            if (before == null) {
                System.clearProperty("kvbm.llamacpp.library.dir");
            } else {
                System.setProperty("kvbm.llamacpp.library.dir", before);
            }
        }
    }

    @Test
    void theBuildFetchedThePinnedLibrary() {
        LlamaLibrary.Probe probe = LlamaLibrary.probe();
        org.junit.jupiter.api.Assumptions.assumeTrue(probe.binding() != null,
                () -> "llama.cpp unavailable: " + probe.cause());
        assertEquals("3.21.1", probe.version());
        assertTrue(probe.binding().systemInfo().contains("CPU"), probe.binding().systemInfo());
    }
}
