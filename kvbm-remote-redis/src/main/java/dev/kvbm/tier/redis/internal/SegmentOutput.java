package dev.kvbm.tier.redis.internal;

import dev.kvbm.api.spi.BlockNamespace;
import dev.kvbm.api.spi.RemoteValueFormat;
import io.lettuce.core.output.CommandOutput;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The reply to a GET: the value is checked (header, then payload CRC32C) where Lettuce holds it, in
 * its Netty buffer, and only a valid one is copied into the target pages. Once {@link #seal()} has
 * returned nothing more is written to the target, so a reply arriving after a timeout cannot reach
 * memory the caller has given to another block.
 */
final class SegmentOutput extends CommandOutput<String, BlockValue, Boolean> {
    private final BlockNamespace namespace;
    private final long sequenceHash;
    private final List<MemorySegment> target;
    private final long payloadLength;
    private boolean sealed;
    private volatile RemoteValueFormat.Verdict refused;

    SegmentOutput(BlockNamespace namespace, long sequenceHash, List<MemorySegment> target) {
        super(BlockValueCodec.INSTANCE, Boolean.FALSE);
        this.namespace = namespace;
        this.sequenceHash = sequenceHash;
        this.target = target;
        this.payloadLength = RemoteValueFormat.payloadLength(target);
    }

    @Override
    public void set(ByteBuffer bytes) {
        if (bytes == null) {
            output = Boolean.FALSE; // absent: never written, evicted or deleted
            return;
        }
        RemoteValueFormat.Verdict v = RemoteValueFormat.checkHeader(bytes, namespace.fingerprint(), sequenceHash,
                payloadLength);
        if (v == RemoteValueFormat.Verdict.OK && !RemoteValueFormat.verifyPayload(bytes)) {
            v = RemoteValueFormat.Verdict.BAD_PAYLOAD_CHECKSUM;
        }
        if (v != RemoteValueFormat.Verdict.OK) {
            refused = v;
            output = Boolean.FALSE;
            return;
        }
        synchronized (this) {
            if (sealed) {
                output = Boolean.FALSE;
                return;
            }
            RemoteValueFormat.copyPayload(bytes, target);
        }
        output = Boolean.TRUE;
    }

    /** Stops any later write into the target; called before the caller learns the outcome. */
    synchronized void seal() {
        sealed = true;
    }

    /** Why the value was refused, or null when it was absent or valid. */
    RemoteValueFormat.Verdict refused() {
        return refused;
    }
}
