package dev.kvbm.tier.host.internal;

import dev.kvbm.nativeio.libc.LibC;
import java.lang.foreign.MemorySegment;

/** mlock/munlock/getrlimit, behind an interface so tests can make locking fail on any machine. */
interface MemoryLocker {

    /** 0 when locked, else errno. */
    int lock(MemorySegment chunk);

    /** 0 when unlocked, else errno. */
    int unlock(MemorySegment chunk);

    /** Soft RLIMIT_MEMLOCK in bytes; {@code Long.MAX_VALUE} when unlimited, -1 when unknown. */
    long memlockLimit();

    MemoryLocker LIBC = new MemoryLocker() {
        @Override
        public int lock(MemorySegment chunk) {
            return LibC.mlock(chunk);
        }

        @Override
        public int unlock(MemorySegment chunk) {
            return LibC.munlock(chunk);
        }

        @Override
        public long memlockLimit() {
            return LibC.memlockLimit();
        }
    };
}
