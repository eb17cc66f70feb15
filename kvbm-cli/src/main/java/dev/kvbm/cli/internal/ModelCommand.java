package dev.kvbm.cli.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.EngineConnector;
import dev.kvbm.api.spi.RandomModelSpec;
import dev.kvbm.core.providers.ProviderRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kvbm model}: writes a randomly initialised Llama-architecture model in an engine's format, through the
 * engine connector that reads that format (found by the registry), for KV-reuse tests without real weights.
 */
@Command(name = "model", description = "Write a random Llama-architecture model (meaningless outputs, real attention and "
        + "KV) in an engine's format: gguf (llama.cpp) or jlama.", customSynopsis = "kvbm model --out FILE --format "
        + "gguf|jlama [--layers L] [--hidden H] [--heads A] [--kv-heads K] [--ffn F] [--vocab V] [--context C] [--seed S]")
final class ModelCommand extends Subcommand {
    static final List<String> FORMATS = List.of("gguf", "jlama");
    private static final RandomModelSpec TINY = RandomModelSpec.TINY;

    @Option(names = "--out", paramLabel = "FILE", description = "where to write the model (a file, or a folder for "
            + "jlama; its parent must exist; required)")
    String outPath;
    @Option(names = "--format", paramLabel = "gguf|jlama", description = "the model format (required)")
    String format;
    @Option(names = "--layers", paramLabel = "L", description = "transformer blocks, 1..256")
    int layers = TINY.layers();
    @Option(names = "--hidden", paramLabel = "H", description = "embedding width, a multiple of --heads with an even "
            + "head dim")
    int hidden = TINY.hidden();
    @Option(names = "--heads", paramLabel = "A", description = "attention heads, 1..1024")
    int heads = TINY.heads();
    @Option(names = "--kv-heads", paramLabel = "K", description = "KV heads (grouped-query attention), dividing --heads")
    int kvHeads = TINY.kvHeads();
    @Option(names = "--ffn", paramLabel = "F", description = "feed-forward width, 1..1048576")
    int ffn = TINY.ffn();
    @Option(names = "--vocab", paramLabel = "V", description = "vocabulary size, 2..1048576")
    int vocab = TINY.vocab();
    @Option(names = "--context", paramLabel = "C", description = "longest sequence in tokens, 1..1048576")
    int context = TINY.context();
    @Option(names = "--seed", paramLabel = "S", description = "seed of the weights")
    long seed = TINY.seed();

    @Override
    public Map<String, String> fieldOptions() {
        return Map.of("layers", "--layers", "hidden", "--hidden", "heads", "--heads", "kvHeads", "--kv-heads",
                "ffn", "--ffn", "vocab", "--vocab", "context", "--context", "format", "--format");
    }

    @Override
    public Integer call() {
        Path target = Path.of(OptionChecks.required("--out", outPath));
        String fmt = OptionChecks.required("--format", format);
        if (!FORMATS.contains(fmt)) {
            throw new UsageException("--format must be one of " + String.join(", ", FORMATS) + " (got '" + fmt + "')");
        }
        Path parent = target.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new UsageException("--out: the directory " + parent + " does not exist");
        }
        RandomModelSpec spec = new RandomModelSpec(layers, hidden, heads, kvHeads, ffn, vocab, context, seed);
        EngineConnector connector;
        try {
            connector = ProviderRegistry.load().connectorForFormat(fmt);
        } catch (KvbmException e) {
            if (e.code() != ErrorCode.PROVIDER_NOT_FOUND) {
                throw e;
            }
            // A missing engine module is a deployment the user picks: a usage error naming the jar to add.
            throw new UsageException("--format: " + e.getMessage(), e);
        }
        connector.writeRandomModel(spec, target);
        out.printf("model: %s, %d layers, hidden %d, %d heads (%d KV), FFN %d, vocab %d, context %d, seed %d, written "
                        + "by %s to %s%n", fmt, spec.layers(), spec.hidden(), spec.heads(), spec.kvHeads(), spec.ffn(),
                spec.vocab(), spec.context(), spec.seed(), connector.name(), target);
        return Cli.OK;
    }
}
