package dev.kvbm.core.hash;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import net.openhft.hashing.LongHashFunction;

/**
 * Dynamo's block and sequence hashes (XXH3-64, seeded with the salt hash):
 *
 * <ul>
 *   <li>block hash = XXH3-64(tokens as little-endian u32, seed = salt)</li>
 *   <li>sequence hash of the first block = its block hash; of a later block =
 *       XXH3-64(LE u64 parent sequence hash || LE u64 block hash, seed = salt)</li>
 * </ul>
 *
 * Hashes are unsigned 64-bit values held in a {@code long}; print them with {@link #toUnsigned(long)}.
 */
public final class SequenceHashes {

    private SequenceHashes() {
    }

    /** XXH3 hashes ints and longs in native byte order; Dynamo's bytes are little-endian. */
    private static final boolean NATIVE_LE = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    /** The XXH3-64 function seeded with {@code salt}; reuse it for many blocks of one salt. */
    public static LongHashFunction hasher(long salt) {
        return LongHashFunction.xx3(salt);
    }

    /** The block hash of {@code tokens[from, to)}. */
    public static long blockHash(int[] tokens, int from, int to, long salt) {
        return blockHash(hasher(salt), tokens, from, to);
    }

    /** The block hash of {@code tokens[from, to)} with a hasher from {@link #hasher(long)}. */
    public static long blockHash(LongHashFunction hasher, int[] tokens, int from, int to) {
        if (NATIVE_LE) {
            return hasher.hashInts(tokens, from, to - from); // the ints' bytes are already little-endian
        }
        ByteBuffer bytes = ByteBuffer.allocate((to - from) * Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = from; i < to; i++) {
            bytes.putInt(tokens[i]);
        }
        return hasher.hashBytes(bytes.array());
    }

    /** The block hash of all of {@code tokens}. */
    public static long blockHash(int[] tokens, long salt) {
        return blockHash(tokens, 0, tokens.length, salt);
    }

    /** The sequence hash of a block whose parent block has sequence hash {@code parentSequenceHash}. */
    public static long sequenceHash(long parentSequenceHash, long blockHash, long salt) {
        return sequenceHash(hasher(salt), parentSequenceHash, blockHash);
    }

    /** As {@link #sequenceHash(long, long, long)} with a hasher from {@link #hasher(long)}. */
    public static long sequenceHash(LongHashFunction hasher, long parentSequenceHash, long blockHash) {
        if (NATIVE_LE) {
            return hasher.hashLongs(new long[] {parentSequenceHash, blockHash});
        }
        byte[] pair = ByteBuffer.allocate(2 * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(parentSequenceHash).putLong(blockHash).array();
        return hasher.hashBytes(pair);
    }

    /** An unsigned decimal rendering, as Dynamo prints its u64 hashes. */
    public static String toUnsigned(long hash) {
        return Long.toUnsignedString(hash);
    }

    /** Parses an unsigned decimal u64. */
    public static long parseUnsigned(String text) {
        return Long.parseUnsignedLong(text);
    }
}
