package dev.kvbm.tier.redis.internal;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.List;

/** A value to write: the format header and the block's pages, read in place when Lettuce encodes the command. */
record BlockValue(ByteBuffer header, List<MemorySegment> pages, long payloadLength) {

    int encodedLength() {
        return Math.toIntExact(header.remaining() + payloadLength);
    }
}
