package dev.kvbm.core.cluster.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.Tier;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The data frames of kvbm's G4 functions between a leader and its workers ({@code kvbm_g4_put},
 * {@code kvbm_g4_get}, {@code kvbm_g4_contains}): big-endian, transport-independent. A request is
 * {@code [tier byte (-1: none)][n int][n hashes][n block ids]}; an answer is {@code [0][n int][n result bytes]
 * [checksum failures long]} or {@code [1][UTF-8 error]}.
 */
public final class RemoteFrames {
    public static final String PUT = "kvbm_g4_put";
    public static final String GET = "kvbm_g4_get";
    public static final String CONTAINS = "kvbm_g4_contains";
    /** Blocks one request names at most (the lanes send 32). */
    static final int MAX_BLOCKS = 1 << 16;

    /** Blocks of {@code tier} (null for a presence query) by sequence hash and block id. */
    public record Blocks(Tier tier, long[] hashes, int[] blocks) {
    }

    /**
     * A worker's answer: one result per block, or the error that stopped it.
     *
     * @param checksumFailures values this request found corrupt (misses, deleted)
     */
    public record Answer(boolean[] results, long checksumFailures, String error) {
        public static Answer failure(String error) {
            return new Answer(new boolean[0], 0, error == null ? "unknown error" : error);
        }

        public boolean ok() {
            return error == null;
        }
    }

    private RemoteFrames() {
    }

    public static byte[] request(Tier tier, long[] hashes, int[] blocks) {
        ByteBuffer b = ByteBuffer.allocate(1 + 4 + hashes.length * 12);
        b.put((byte) (tier == null ? -1 : tier.ordinal())).putInt(hashes.length);
        for (long h : hashes) {
            b.putLong(h);
        }
        for (int i = 0; i < hashes.length; i++) {
            b.putInt(blocks == null ? 0 : blocks[i]);
        }
        return b.array();
    }

    public static Blocks decodeRequest(String function, byte[] frame) {
        try {
            ByteBuffer b = ByteBuffer.wrap(frame);
            int tier = b.get();
            int n = b.getInt();
            if (tier < -1 || tier >= Tier.values().length || n < 0 || n > MAX_BLOCKS
                    || b.remaining() != n * 12) {
                throw new KvbmException(ErrorCode.PROTOCOL_ERROR, function + ": malformed request (tier " + tier
                        + ", " + n + " block(s), " + frame.length + " bytes)");
            }
            long[] hashes = new long[n];
            int[] blocks = new int[n];
            for (int i = 0; i < n; i++) {
                hashes[i] = b.getLong();
            }
            for (int i = 0; i < n; i++) {
                blocks[i] = b.getInt();
            }
            return new Blocks(tier < 0 ? null : Tier.values()[tier], hashes, blocks);
        } catch (BufferUnderflowException e) {
            throw new KvbmException(ErrorCode.PROTOCOL_ERROR, function + ": truncated request (" + frame.length + " bytes)");
        }
    }

    public static byte[] answer(Answer a) {
        if (!a.ok()) {
            byte[] text = a.error().getBytes(StandardCharsets.UTF_8);
            return ByteBuffer.allocate(1 + text.length).put((byte) 1).put(text).array();
        }
        ByteBuffer b = ByteBuffer.allocate(1 + 4 + a.results().length + 8);
        b.put((byte) 0).putInt(a.results().length);
        for (boolean r : a.results()) {
            b.put((byte) (r ? 1 : 0));
        }
        return b.putLong(a.checksumFailures()).array();
    }

    public static Answer decodeAnswer(String function, byte[] frame) {
        try {
            ByteBuffer b = ByteBuffer.wrap(frame);
            byte status = b.get();
            if (status == 1) {
                return Answer.failure(StandardCharsets.UTF_8.decode(b).toString());
            }
            int n = b.getInt();
            if (status != 0 || n < 0 || b.remaining() != n + 8) {
                throw new KvbmException(ErrorCode.PROTOCOL_ERROR, function + ": malformed answer (" + frame.length
                        + " bytes)");
            }
            boolean[] results = new boolean[n];
            for (int i = 0; i < n; i++) {
                results[i] = b.get() != 0;
            }
            return new Answer(results, b.getLong(), null);
        } catch (BufferUnderflowException e) {
            throw new KvbmException(ErrorCode.PROTOCOL_ERROR, function + ": truncated answer (" + frame.length + " bytes)");
        }
    }
}
