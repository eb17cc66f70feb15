package dev.kvbm.cli.internal;

import dev.kvbm.core.hash.SequenceHashes;
import dev.kvbm.core.hash.TokenBlock;
import dev.kvbm.core.hash.TokenBlockSequence;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kvbm hash}: Dynamo-compatible block and sequence hashes of a token list. */
@Command(name = "hash", description = "Hash tokens into blocks: XXH3-64 block hash and chained sequence hash per complete "
        + "block.", customSynopsis = "kvbm hash --tokens 1,2,3,... --block-size B [--salt S] [--json]")
final class HashCommand extends Subcommand {
    @Option(names = "--tokens", paramLabel = "t1,t2,...", description = "token ids, unsigned 32-bit decimal, comma-separated; spaces around a comma are ignored, a sign or an empty "
            + "id is an error (required)")
    String tokens;
    @Range(min = 1)
    @Option(names = "--block-size", paramLabel = "B", description = "tokens per block (>= 1, required)")
    Integer blockSize;
    @Option(names = "--salt", paramLabel = "S", defaultValue = "0", description = "salt hash, unsigned 64-bit decimal")
    String salt;
    @Option(names = "--json", arity = "0", description = "print one JSON object on one line (hashes as unsigned decimal strings)")
    boolean json;

    @Override
    public Integer call() {
        int[] tokens = parseTokens(OptionChecks.required("--tokens", this.tokens));
        int blockSize = OptionChecks.required("--block-size", this.blockSize, 1, Integer.MAX_VALUE);
        long salt = parseSalt(this.salt);
        TokenBlockSequence seq = TokenBlockSequence.of(tokens, blockSize, salt);
        if (json) {
            JsonLine.print(out, g -> {
                g.writeStartObject();
                g.writeNumberField("blockSize", blockSize);
                JsonLine.hash(g, "salt", salt);
                g.writeArrayFieldStart("blocks");
                for (TokenBlock b : seq.blocks()) {
                    g.writeStartObject();
                    g.writeArrayFieldStart("tokens");
                    for (int t : b.tokens()) {
                        g.writeNumber(Integer.toUnsignedLong(t));
                    }
                    g.writeEndArray();
                    JsonLine.hash(g, "blockHash", b.blockHash());
                    JsonLine.hash(g, "sequenceHash", b.sequenceHash());
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeArrayFieldStart("partial");
                for (int t : seq.partialTokens()) {
                    g.writeNumber(Integer.toUnsignedLong(t));
                }
                g.writeEndArray();
                g.writeEndObject();
            });
        } else {
            out.printf("%d tokens, block size %d, salt %s: %d complete block(s), %d token(s) in the partial tail%n",
                    tokens.length, blockSize, SequenceHashes.toUnsigned(salt), seq.blocks().size(),
                    seq.partialTokens().length);
            out.printf("  %5s %20s %20s  %s%n", "block", "blockHash", "sequenceHash", "tokens");
            for (TokenBlock b : seq.blocks()) {
                out.printf("  %5d %20s %20s  %s%n", b.position(), SequenceHashes.toUnsigned(b.blockHash()),
                        SequenceHashes.toUnsigned(b.sequenceHash()), render(b.tokens()));
            }
            out.println("  partial: " + render(seq.partialTokens()));
        }
        return Cli.OK;
    }

    private static String render(int[] tokens) {
        return Arrays.stream(tokens).mapToObj(Integer::toUnsignedString).collect(Collectors.joining(",", "[", "]"));
    }

    static int[] parseTokens(String text) {
        if (text.isBlank()) {
            throw new UsageException("--tokens must list at least one token id (got an empty list)");
        }
        String[] parts = text.split(",", -1);
        int[] tokens = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i].strip(); // "1, 2" is read as 1,2: spaces carry no meaning here
            if (p.isEmpty()) {
                throw new UsageException("--tokens: token " + i + " is empty (two commas, or one at an end)");
            }
            if (!p.matches("[0-9]+")) {
                throw new UsageException("--tokens must be unsigned 32-bit decimal integers separated by commas, without "
                        + "a sign (token " + i + " is '" + p + "')");
            }
            long v;
            try {
                v = Long.parseLong(p);
            } catch (NumberFormatException e) {
                v = Long.MAX_VALUE; // more digits than a long holds: out of range below
            }
            if (v > 0xFFFF_FFFFL) {
                throw new UsageException("--tokens: token " + i + " must be in 0..4294967295 (got " + p + ")");
            }
            tokens[i] = (int) v;
        }
        return tokens;
    }

    private static long parseSalt(String text) {
        try {
            return Long.parseUnsignedLong(text.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--salt must be an unsigned 64-bit decimal in 0..18446744073709551615 (got '"
                    + text + "')");
        }
    }
}
