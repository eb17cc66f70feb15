package dev.kvbm.core.hash;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import net.openhft.hashing.LongHashFunction;

/**
 * Dynamo's XXH3-64 seeded with one salt, for hashing many blocks of that salt. kvbm's own type, so the core's API
 * does not expose the hashing library it uses. Immutable and thread-safe.
 */
public final class BlockHasher {
    /** XXH3 hashes ints and longs in native byte order; Dynamo's bytes are little-endian. */
    private static final boolean NATIVE_LE = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private final long salt;
    private final LongHashFunction xxh3;

    BlockHasher(long salt) {
        this.salt = salt;
        this.xxh3 = LongHashFunction.xx3(salt);
    }

    /** The salt (XXH3 seed) of this hasher. */
    public long salt() {
        return salt;
    }

    /** The block hash of {@code tokens[from, to)}: XXH3-64 of the tokens as little-endian u32. */
    public long blockHash(int[] tokens, int from, int to) {
        if (NATIVE_LE) {
            return xxh3.hashInts(tokens, from, to - from); // the ints' bytes are already little-endian
        }
        ByteBuffer bytes = ByteBuffer.allocate((to - from) * Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = from; i < to; i++) {
            bytes.putInt(tokens[i]);
        }
        return xxh3.hashBytes(bytes.array());
    }

    /** The sequence hash of a block after a parent: XXH3-64 of LE u64 parent hash || LE u64 block hash. */
    public long sequenceHash(long parentSequenceHash, long blockHash) {
        if (NATIVE_LE) {
            return xxh3.hashLongs(new long[] {parentSequenceHash, blockHash});
        }
        byte[] pair = ByteBuffer.allocate(2 * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(parentSequenceHash).putLong(blockHash).array();
        return xxh3.hashBytes(pair);
    }

    /**
     * As {@link #sequenceHash(long, long)}, with {@code scratch} (two longs, overwritten) as the hash input: no
     * array per block for a caller that hashes a whole chain on one thread.
     */
    long sequenceHash(long parentSequenceHash, long blockHash, long[] scratch) {
        if (!NATIVE_LE) {
            return sequenceHash(parentSequenceHash, blockHash);
        }
        scratch[0] = parentSequenceHash;
        scratch[1] = blockHash;
        return xxh3.hashLongs(scratch, 0, 2);
    }

    /** XXH3-64 of {@code bytes} under this salt (for example a model's identity mixed into a salt). */
    public long hashBytes(byte[] bytes) {
        return xxh3.hashBytes(bytes);
    }
}
