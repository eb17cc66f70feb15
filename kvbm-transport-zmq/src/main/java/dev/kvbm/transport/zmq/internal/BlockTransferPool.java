package dev.kvbm.transport.zmq.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.Tier;

/** Dynamo's {@code BlockTransferPool}: the wire names of the tiers a worker holds. */
enum BlockTransferPool {
    Device(Tier.G1), Host(Tier.G2), Disk(Tier.G3);

    private final Tier tier;

    BlockTransferPool(Tier tier) {
        this.tier = tier;
    }

    public Tier tier() {
        return tier;
    }

    static BlockTransferPool of(Tier tier) {
        BlockTransferPool p = forTier(tier);
        if (p != null) {
            return p;
        }
        throw new KvbmException(ErrorCode.INVALID_ARGUMENT, tier + " has no Dynamo pool name (only G1, G2, G3 do)");
    }

    /** The pool that stands for {@code tier} on the wire, or null. */
    static BlockTransferPool forTier(Tier tier) {
        for (BlockTransferPool p : values()) {
            if (p.tier == tier) {
                return p;
            }
        }
        return null;
    }

    /** The pool of that wire name, or null. */
    static BlockTransferPool named(String name) {
        for (BlockTransferPool p : values()) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        return null;
    }

    static BlockTransferPool parse(String field, Object value) {
        BlockTransferPool p = value instanceof String s ? named(s) : null;
        if (p != null) {
            return p;
        }
        throw KvbmException.forField(ErrorCode.PROTOCOL_ERROR, field, field + " must be one of \"Device\", \"Host\", "
                + "\"Disk\" (got " + value + ")");
    }
}
