package dev.kvbm.engine.llamacpp.internal;

import dev.kvbm.api.KvbmException;
import java.util.Locale;

/** The KV cache element types this connector moves: ggml's type id, bytes per element, and the option name. */
enum KvType {
    F16(LlamaCpp.GGML_TYPE_F16, 2),
    F32(LlamaCpp.GGML_TYPE_F32, 4);

    final int ggmlType;
    final int bytes;

    KvType(int ggmlType, int bytes) {
        this.ggmlType = ggmlType;
        this.bytes = bytes;
    }

    /** The name of the {@code kv-type} option and of the geometry's dtype. */
    String optionName() {
        return name().toLowerCase(Locale.ROOT);
    }

    static KvType fromOption(String value) {
        for (KvType t : values()) {
            if (t.optionName().equals(value)) {
                return t;
            }
        }
        throw KvbmException.invalid("kv-type", value, "f16 or f32");
    }

    /** A ggml type id as text, for messages. */
    static String describe(int ggmlType) {
        for (KvType t : values()) {
            if (t.ggmlType == ggmlType) {
                return ggmlType + " (" + t.optionName() + ")";
            }
        }
        return ggmlType + " (a ggml type this connector does not move)";
    }
}
