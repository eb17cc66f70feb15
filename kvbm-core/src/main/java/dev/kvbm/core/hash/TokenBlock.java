package dev.kvbm.core.hash;

import java.util.Arrays;
import java.util.OptionalLong;

/**
 * A complete block of tokens with its hashes.
 *
 * @param tokens             exactly one block's tokens (a defensive copy)
 * @param salt               the salt hash both hashes are seeded with
 * @param blockHash          hash of this block's tokens alone
 * @param sequenceHash       hash of this block and every block before it
 * @param parentSequenceHash the previous block's sequence hash; empty for the first block
 * @param position           index of the block in its sequence
 */
public record TokenBlock(int[] tokens, long salt, long blockHash, long sequenceHash, OptionalLong parentSequenceHash,
                         int position) {

    public TokenBlock {
        tokens = tokens.clone();
    }

    @Override
    public int[] tokens() {
        return tokens.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TokenBlock b && Arrays.equals(tokens, b.tokens) && salt == b.salt
                && blockHash == b.blockHash && sequenceHash == b.sequenceHash
                && parentSequenceHash.equals(b.parentSequenceHash) && position == b.position;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(sequenceHash) * 31 + position;
    }

    @Override
    public String toString() {
        return "TokenBlock[position=" + position + ", blockHash=" + SequenceHashes.toUnsigned(blockHash)
                + ", sequenceHash=" + SequenceHashes.toUnsigned(sequenceHash) + ", tokens=" + tokens.length + "]";
    }
}
