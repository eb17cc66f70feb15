package dev.kvbm.api.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;

/** Checked byte arithmetic that names the quantity that overflowed. */
public final class Sizes {
    private Sizes() {
    }

    public static long multiply(String what, long... factors) {
        long product = 1;
        for (long f : factors) {
            try {
                product = Math.multiplyExact(product, f);
            } catch (ArithmeticException e) {
                throw overflow(what);
            }
        }
        return product;
    }

    public static long add(String what, long a, long b) {
        try {
            return Math.addExact(a, b);
        } catch (ArithmeticException e) {
            throw overflow(what);
        }
    }

    /** {@code align_up(value, alignment)} for a power-of-two alignment. */
    public static long alignUp(String what, long value, long alignment) {
        return add(what, value, alignment - 1) & -alignment;
    }

    /** A block stride: {@code natural} padded up to the layout's alignment (none at 1). */
    public static long blockStride(long natural, int alignment) {
        return alignment > 1 ? alignUp("blockStride", natural, alignment) : natural;
    }

    public static KvbmException overflow(String what) {
        return KvbmException.forField(ErrorCode.SIZE_OVERFLOW, what,
                what + " overflows a signed 64-bit byte count; reduce the layout's dimensions");
    }
}
