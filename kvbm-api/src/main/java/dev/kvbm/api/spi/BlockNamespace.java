package dev.kvbm.api.spi;

import dev.kvbm.api.KvbmException;
import dev.kvbm.api.layout.LayoutConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The part of a remote key that makes only compatible KV shareable: a prefix, a fingerprint of what
 * the bytes mean (model identity and salt, payload layout, geometry, dtype) and the worker rank. A block's
 * key is {@code prefix:fingerprint:rank:sequenceHash} (lower-case hex); it contains no Redis hash-tag
 * braces, so keys spread over every slot of a cluster.
 *
 * @param prefix      application prefix, e.g. {@code kvbm}; letters, digits, {@code .-_/}
 * @param fingerprint see {@link #fingerprint}
 * @param rank        the worker rank (tensor-parallel shard) whose bytes these are
 * @param blockBytes  bytes of one block's payload
 */
public record BlockNamespace(String prefix, long fingerprint, int rank, long blockBytes) {
    public static final String DEFAULT_PREFIX = "kvbm";

    public BlockNamespace {
        Objects.requireNonNull(prefix, "prefix");
        if (prefix.isEmpty() || !prefix.matches("[A-Za-z0-9._/-]{1,64}")) {
            throw KvbmException.invalid("prefix", "'" + prefix + "'", "1..64 of letters, digits and . _ / -");
        }
        if (rank < 0) {
            throw KvbmException.invalid("rank", rank, ">= 0");
        }
        if (blockBytes < 1) {
            throw KvbmException.invalid("blockBytes", blockBytes, ">= 1");
        }
    }

    /** The namespace of blocks of {@code geometry} for the model named by {@code modelIdentity}. */
    public static BlockNamespace of(String prefix, String modelIdentity, LayoutConfig geometry, int rank) {
        return new BlockNamespace(prefix, fingerprint(modelIdentity, geometry), rank, geometry.blockDataBytes());
    }

    /**
     * 64 bits of SHA-256 over a canonical text of the model identity (model name, salt, anything that
     * changes KV values), the payload layout and the geometry: blocks under one fingerprint are
     * byte-compatible. The payload is always in (layer, outer, page, inner) order, whatever the local
     * layout type (FullyContiguous blocks are that order already; LayerSeparate pages are written in
     * it), so hosts with different local layouts share; the geometry and dtype must match.
     */
    public static long fingerprint(String modelIdentity, LayoutConfig g) {
        String canonical = "kvbm-g4/1|model=" + Objects.requireNonNull(modelIdentity, "modelIdentity")
                + "|payload=layer,outer,page,inner|layers=" + g.numLayers() + "|outer=" + g.outerDim() + "|page=" + g.pageSize()
                + "|inner=" + g.innerDim() + "|dtype=" + g.dtypeWidthBytes();
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (d[i] & 0xFF);
            }
            return v;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }

    /** The key of the block with {@code sequenceHash}: {@code prefix:fingerprint:rank:sequenceHash}. */
    public String key(long sequenceHash) {
        return prefix + ":" + HexFormat.of().toHexDigits(fingerprint) + ":" + rank + ":"
                + HexFormat.of().toHexDigits(sequenceHash);
    }
}
