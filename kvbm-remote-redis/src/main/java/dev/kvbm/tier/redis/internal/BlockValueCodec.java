package dev.kvbm.tier.redis.internal;

import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.ToByteBufEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Keys as UTF-8 strings; values written straight from host memory segments into the command's Netty
 * buffer (one copy, no heap array). Values are never decoded through the codec: reads use
 * {@link SegmentOutput}, which checks and copies the reply into the caller's segments.
 */
final class BlockValueCodec implements RedisCodec<String, BlockValue>, ToByteBufEncoder<String, BlockValue> {
    static final BlockValueCodec INSTANCE = new BlockValueCodec();

    private BlockValueCodec() {
    }

    @Override
    public void encodeKey(String key, ByteBuf target) {
        ByteBufUtil.writeUtf8(target, key);
    }

    @Override
    public void encodeValue(BlockValue value, ByteBuf target) {
        // One reservation for the whole value: growing the buffer in steps would copy it again each time.
        target.ensureWritable(value.encodedLength());
        target.writeBytes(value.header().duplicate());
        for (MemorySegment page : value.pages()) {
            target.writeBytes(page.asByteBuffer());
        }
    }

    @Override
    public int estimateSize(Object keyOrValue) {
        return switch (keyOrValue) {
            case String key -> ByteBufUtil.utf8Bytes(key);
            case BlockValue value -> value.encodedLength();
            case null -> 0;
            default -> throw new IllegalArgumentException("not a key or block value: " + keyOrValue.getClass());
        };
    }

    @Override
    public boolean isEstimateExact() {
        return true;
    }

    @Override
    public String decodeKey(ByteBuffer bytes) {
        return StandardCharsets.UTF_8.decode(bytes).toString();
    }

    @Override
    public BlockValue decodeValue(ByteBuffer bytes) {
        throw new UnsupportedOperationException("block values are read through SegmentOutput, not decoded");
    }

    @Override
    public ByteBuffer encodeKey(String key) {
        return StandardCharsets.UTF_8.encode(key); // cluster slot routing hashes this form
    }

    @Override
    public ByteBuffer encodeValue(BlockValue value) {
        ByteBuffer out = ByteBuffer.allocateDirect(value.encodedLength());
        out.put(value.header().duplicate());
        for (MemorySegment page : value.pages()) {
            out.put(page.asByteBuffer());
        }
        return out.flip();
    }
}
