package dev.kvbm.core.hash;

import dev.kvbm.api.KvbmException;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;

/**
 * A growing token sequence cut into complete blocks of {@code blockSize} tokens and a partial tail.
 * A block is committed (hashed, chained to its parent) as soon as it is full, so a sequence of exactly
 * {@code n * blockSize} tokens has {@code n} blocks and an empty tail. Not thread-safe.
 *
 * <p>Tokens are kept in one array and hashed where they lie; the hashes are kept in {@code long[]}s. A
 * {@link TokenBlock} is made only when {@link #blocks()} is read, so hashing a request for its sequence hashes
 * costs the two XXH3 calls per block and nothing else.
 */
public final class TokenBlockSequence {
    private final int blockSize;
    private final long salt;
    private final BlockHasher hasher;
    /** The chain's hash input (parent, block), reused for every block. */
    private final long[] pair = new long[2];
    private int[] tokens;
    private int length;
    private long[] blockHashes;
    private long[] sequenceHashes;
    private int blockCount;

    public TokenBlockSequence(int blockSize, long salt) {
        if (blockSize < 1) {
            throw KvbmException.invalid("blockSize", blockSize, ">= 1");
        }
        this.blockSize = blockSize;
        this.salt = salt;
        this.hasher = SequenceHashes.hasher(salt);
        this.tokens = new int[blockSize];
        this.blockHashes = new long[4];
        this.sequenceHashes = new long[4];
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
    public int extend(int[] more) {
        int before = blockCount;
        if (length + more.length > tokens.length) {
            tokens = Arrays.copyOf(tokens, Math.max(length + more.length, tokens.length * 2));
        }
        System.arraycopy(more, 0, tokens, length, more.length);
        length += more.length;
        int complete = length / blockSize;
        if (complete > blockHashes.length) {
            int capacity = Math.max(complete, blockHashes.length * 2);
            blockHashes = Arrays.copyOf(blockHashes, capacity);
            sequenceHashes = Arrays.copyOf(sequenceHashes, capacity);
        }
        SequenceHashes.chain(hasher, tokens, blockSize, blockCount, complete, blockHashes, sequenceHashes, pair);
        blockCount = complete;
        return blockCount - before;
    }

    /** The complete blocks, in order: a live view whose {@link TokenBlock}s are made as they are read. */
    public List<TokenBlock> blocks() {
        return new AbstractList<>() {
            @Override
            public TokenBlock get(int i) {
                if (i < 0 || i >= blockCount) {
                    throw new IndexOutOfBoundsException("block " + i + " of " + blockCount);
                }
                OptionalLong parent = i == 0 ? OptionalLong.empty() : OptionalLong.of(sequenceHashes[i - 1]);
                return new TokenBlock(Arrays.copyOfRange(tokens, i * blockSize, (i + 1) * blockSize), salt,
                        blockHashes[i], sequenceHashes[i], parent, i);
            }

            @Override
            public int size() {
                return blockCount;
            }
        };
    }

    /** The sequence hashes of the complete blocks, in order. */
    public long[] sequenceHashes() {
        return Arrays.copyOf(sequenceHashes, blockCount);
    }

    /** Tokens not yet in a complete block. */
    public int[] partialTokens() {
        return Arrays.copyOfRange(tokens, blockCount * blockSize, length);
    }

    public int totalTokens() {
        return length;
    }

    public int blockSize() {
        return blockSize;
    }

    public long salt() {
        return salt;
    }
}
