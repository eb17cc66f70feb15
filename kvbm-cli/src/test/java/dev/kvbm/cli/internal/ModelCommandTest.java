package dev.kvbm.cli.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.RandomModelSpec;
import dev.kvbm.core.providers.ProviderRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kvbm model}: option checks, then the registry's engine connector for the format. */
class ModelCommandTest {

    @Test
    void optionsAreCheckedBeforeTheRegistryIsAsked(@TempDir Path dir) {
        String out = dir.resolve("m.gguf").toString();
        assertEquals("kvbm model: --out is required\n", CliTest.run("model", "--format", "gguf").err());
        assertEquals("kvbm model: --format is required\n", CliTest.run("model", "--out", out).err());
        CliTest.Result format = CliTest.run("model", "--out", out, "--format", "onnx");
        assertEquals(Cli.USAGE, format.code());
        assertEquals("kvbm model: --format must be one of gguf, jlama (got 'onnx')\n", format.err());
        CliTest.Result layers = CliTest.run("model", "--out", out, "--format", "gguf", "--layers", "0");
        assertEquals(Cli.USAGE, layers.code());
        assertEquals("kvbm model: --layers: layers must be in 1..256 (got 0)\n", layers.err());
        CliTest.Result hidden = CliTest.run("model", "--out", out, "--format", "gguf", "--hidden", "100", "--heads", "8");
        assertEquals(Cli.USAGE, hidden.code());
        assertTrue(hidden.err().startsWith("kvbm model: --hidden: "), hidden.err());
        CliTest.Result kv = CliTest.run("model", "--out", out, "--format", "jlama", "--kv-heads", "3");
        assertEquals(Cli.USAGE, kv.code());
        assertTrue(kv.err().startsWith("kvbm model: --kv-heads: "), kv.err());
        CliTest.Result parent = CliTest.run("model", "--out", dir.resolve("no/such/dir/m.gguf").toString(), "--format",
                "gguf");
        assertEquals(Cli.USAGE, parent.code());
        assertTrue(parent.err().startsWith("kvbm model: --out: the directory "), parent.err());
        assertEquals(1, parent.err().lines().count(), parent.err());
    }

    @Test
    void withoutTheFormatsConnectorItFailsWithTheRegistrysLineElseItWritesTheModel(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("tiny.gguf");
        CliTest.Result r = CliTest.run("model", "--out", out.toString(), "--format", "gguf", "--seed", "7");
        String registryLine;
        try {
            ProviderRegistry.load().connectorForFormat("gguf");
            registryLine = null;
        } catch (KvbmException e) {
            registryLine = e.getMessage();
        }
        if (registryLine != null) {
            assertEquals(Cli.USAGE, r.code(), r.out());
            assertEquals("kvbm model: --format: " + registryLine + "\n", r.err());
            assertTrue(r.err().contains("kvbm-engine-llamacpp"), r.err());
            assertTrue(Files.notExists(out), "nothing written");
        } else {
            assertEquals(Cli.OK, r.code(), r.err());
            assertTrue(Files.exists(out) && Files.size(out) > 0, "the connector wrote " + out);
            assertTrue(r.out().contains(RandomModelSpec.TINY.layers() + " layers"), r.out());
        }
    }
}
