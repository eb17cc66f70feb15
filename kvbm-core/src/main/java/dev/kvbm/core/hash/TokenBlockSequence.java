package dev.kvbm.core.hash;

import dev.kvbm.api.KvbmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.OptionalLong;

/**
 * A growing token sequence cut into complete blocks of {@code blockSize} tokens and a partial tail.
 * A block is committed (hashed, chained to its parent) as soon as it is full, so a sequence of exactly
 * {@code n * blockSize} tokens has {@code n} blocks and an empty tail. Not thread-safe.
 */
public final class TokenBlockSequence {
    private final int blockSize;
    private final long salt;
    private final BlockHasher hasher;
    private final List<TokenBlock> blocks = new ArrayList<>();
    private int[] partial;
    private int partialLength;

    public TokenBlockSequence(int blockSize, long salt) {
        if (blockSize < 1) {
            throw KvbmException.invalid("blockSize", blockSize, ">= 1");
        }
        this.blockSize = blockSize;
        this.salt = salt;
        this.hasher = SequenceHashes.hasher(salt);
        this.partial = new int[blockSize];
    }

    /** A sequence over {@code tokens}. */
    public static TokenBlockSequence of(int[] tokens, int blockSize, long salt) {
        TokenBlockSequence s = new TokenBlockSequence(blockSize, salt);
        s.extend(tokens);
        return s;
    }

    /**
     * Appends tokens, committing every block that becomes full.
     *
     * @return the number of blocks committed by this call
     */
    public int extend(int[] tokens) {
        int before = blocks.size();
        for (int token : tokens) {
            partial[partialLength++] = token;
            if (partialLength == blockSize) {
                commit();
            }
        }
        return blocks.size() - before;
    }

    private void commit() {
        long blockHash = SequenceHashes.blockHash(hasher, partial, 0, blockSize);
        OptionalLong parent = blocks.isEmpty() ? OptionalLong.empty() : OptionalLong.of(blocks.getLast().sequenceHash());
        long sequenceHash = parent.isEmpty() ? blockHash : SequenceHashes.sequenceHash(hasher, parent.getAsLong(), blockHash);
        blocks.add(new TokenBlock(partial, salt, blockHash, sequenceHash, parent, blocks.size()));
        partialLength = 0;
    }

    public List<TokenBlock> blocks() {
        return Collections.unmodifiableList(blocks);
    }

    /** The sequence hashes of the complete blocks, in order. */
    public long[] sequenceHashes() {
        return blocks.stream().mapToLong(TokenBlock::sequenceHash).toArray();
    }

    /** Tokens not yet in a complete block. */
    public int[] partialTokens() {
        return Arrays.copyOf(partial, partialLength);
    }

    public int totalTokens() {
        return blocks.size() * blockSize + partialLength;
    }

    public int blockSize() {
        return blockSize;
    }

    public long salt() {
        return salt;
    }
}
