package dev.kvbm.core.pool;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * The block pool's mutual exclusion: one CAS to enter and a plain release store to leave. A monitor's (or a
 * {@code ReentrantLock}'s) exit costs a second atomic (or a full fence) so that it can wake a waiter; the pool's
 * critical sections last tens of nanoseconds, so a waiter here spins, then yields, then parks for a few
 * microseconds at a time and is never woken: leaving has nothing to do. Not reentrant: nothing called under it
 * calls back into the pool (listeners run after it is released; a journal must not call back).
 */
final class PoolLock {
    private static final VarHandle HELD;

    static {
        try {
            HELD = MethodHandles.lookup().findVarHandle(PoolLock.class, "held", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final int SPINS = 100;
    private static final int YIELDS = 100;
    private static final long MAX_PARK_NANOS = 20_000;

    @SuppressWarnings("unused") // through HELD
    private int held;

    void lock() {
        if (!HELD.compareAndSet(this, 0, 1)) {
            waitFor();
        }
    }

    private void waitFor() {
        long park = 1_000;
        for (int tries = 0; ; tries++) {
            // Read before trying: a failing CAS would take the line from the holder for nothing.
            if ((int) HELD.getOpaque(this) == 0 && HELD.compareAndSet(this, 0, 1)) {
                return;
            }
            if (tries < SPINS) {
                Thread.onSpinWait();
            } else if (tries < SPINS + YIELDS) {
                Thread.yield(); // the holder may be waiting for this core
            } else if (Thread.currentThread().isInterrupted()) {
                Thread.yield(); // park returns at once while interrupted; the flag is the caller's to keep
            } else {
                LockSupport.parkNanos(park); // a holder preempted, or a long operation (reset, invariant check)
                park = Math.min(park * 2, MAX_PARK_NANOS);
            }
        }
    }

    void unlock() {
        HELD.setRelease(this, 0);
    }

    /** Whether some thread holds it (assertions and tests). */
    boolean isHeld() {
        return (int) HELD.getVolatile(this) != 0;
    }
}
