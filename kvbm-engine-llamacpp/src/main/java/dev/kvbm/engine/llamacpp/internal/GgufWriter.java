package dev.kvbm.engine.llamacpp.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A GGUF v3 file writer (little-endian): metadata key/values, then tensor infos, then F32 tensor data, each
 * tensor's data aligned to {@link #ALIGNMENT} bytes ({@code general.alignment}). Tensor contents come from a
 * {@link TensorData} callback, streamed, so a model never sits in memory whole.
 */
final class GgufWriter {
    static final int MAGIC = 0x46554747; // "GGUF"
    static final int VERSION = 3;
    static final int ALIGNMENT = 32;
    private static final int TYPE_UINT32 = 4;
    private static final int TYPE_FLOAT32 = 6;
    private static final int TYPE_STRING = 8;
    private static final int GGML_TYPE_F32 = 0;

    /** Fills a tensor's {@code count} floats, in order, into {@code out} (called with chunks). */
    interface TensorData {
        void fill(long first, java.nio.FloatBuffer out);
    }

    private record Tensor(String name, long[] dims, TensorData data) {
        long elements() {
            long n = 1;
            for (long d : dims) {
                n *= d;
            }
            return n;
        }
    }

    private final ByteArrayOutputStream kv = new ByteArrayOutputStream();
    private int kvCount;
    private final List<Tensor> tensors = new ArrayList<>();

    GgufWriter putString(String key, String value) {
        string(kv, key);
        u32(kv, TYPE_STRING);
        string(kv, value);
        kvCount++;
        return this;
    }

    GgufWriter putU32(String key, int value) {
        string(kv, key);
        u32(kv, TYPE_UINT32);
        u32(kv, value);
        kvCount++;
        return this;
    }

    GgufWriter putF32(String key, float value) {
        string(kv, key);
        u32(kv, TYPE_FLOAT32);
        u32(kv, Float.floatToRawIntBits(value));
        kvCount++;
        return this;
    }

    /** An F32 tensor of {@code dims} (ne0 first, as ggml counts). */
    GgufWriter tensor(String name, long[] dims, TensorData data) {
        tensors.add(new Tensor(name, dims.clone(), data));
        return this;
    }

    void write(Path out) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        u32(head, MAGIC);
        u32(head, VERSION);
        u64(head, tensors.size());
        u64(head, kvCount);
        kv.writeTo(head);
        long offset = 0;
        for (Tensor t : tensors) {
            string(head, t.name());
            u32(head, t.dims().length);
            for (long d : t.dims()) {
                u64(head, d);
            }
            u32(head, GGML_TYPE_F32);
            u64(head, offset);
            offset = align(offset + t.elements() * Float.BYTES);
        }
        while (head.size() % ALIGNMENT != 0) {
            head.write(0);
        }
        try (FileChannel ch = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            writeFully(ch, ByteBuffer.wrap(head.toByteArray()));
            ByteBuffer chunk = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
            for (Tensor t : tensors) {
                long bytes = t.elements() * Float.BYTES;
                for (long first = 0; first < t.elements(); ) {
                    int n = (int) Math.min(chunk.capacity() / Float.BYTES, t.elements() - first);
                    chunk.clear();
                    java.nio.FloatBuffer floats = chunk.asFloatBuffer();
                    floats.limit(n);
                    t.data().fill(first, floats);
                    chunk.limit(n * Float.BYTES);
                    writeFully(ch, chunk);
                    first += n;
                }
                long pad = align(bytes) - bytes;
                if (pad > 0) {
                    writeFully(ch, ByteBuffer.allocate((int) pad));
                }
            }
        }
    }

    private static long align(long v) {
        return (v + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private static void string(ByteArrayOutputStream out, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        u64(out, bytes.length);
        out.writeBytes(bytes);
    }

    private static void u32(ByteArrayOutputStream out, int v) {
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
    }

    private static void u64(ByteArrayOutputStream out, long v) {
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
    }
}
