package dev.kvbm.core.pool;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * The block pool's mutual exclusion: one CAS to enter and a plain release store to leave. A monitor's (or a
 * {@code ReentrantLock}'s) exit costs a second atomic (or a full fence) so that it never misses a waiter; the
 * pool's critical sections last tens of nanoseconds and are rarely contended, so this one leaves with a store
 * and a plain read of the waiter count, and wakes the first parked waiter when it sees one.
 *
 * <p>Without the fence a waiter that parks just as the holder leaves can be missed (the holder read the count
 * before the waiter's increment, the waiter read the lock still held): every park is therefore timed, so such a
 * waiter retries after at most {@link #PARK_NANOS} (plus the timer's slack). A waiter first spins, then yields
 * (the holder may be waiting for this core), then parks. Not fair, like a monitor; not reentrant: nothing
 * called under it calls back into the pool (listeners run after it is released; a journal must not call back).
 */
final class PoolLock {
    private static final VarHandle HELD;
    private static final VarHandle PARKING;

    static {
        try {
            HELD = MethodHandles.lookup().findVarHandle(PoolLock.class, "held", int.class);
            PARKING = MethodHandles.lookup().findVarHandle(PoolLock.class, "parking", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final int SPINS = 100;
    private static final int YIELDS = 20;
    /** A parked waiter's longest sleep when no unlock wakes it. */
    static final long PARK_NANOS = 100_000;

    @SuppressWarnings("unused") // through HELD
    private int held;
    /** Threads in the park phase; read plainly by unlock (a stale zero only delays a waiter by one timed park). */
    @SuppressWarnings("unused") // through PARKING
    private int parking;
    private final ConcurrentLinkedQueue<Thread> parked = new ConcurrentLinkedQueue<>();

    void lock() {
        if (!HELD.compareAndSet(this, 0, 1)) {
            waitFor();
        }
    }

    void unlock() {
        HELD.setRelease(this, 0);
        if ((int) PARKING.get(this) != 0) {
            Thread first = parked.peek();
            if (first != null) {
                LockSupport.unpark(first);
            }
        }
    }

    private boolean tryLock() {
        // Read before trying: a failing CAS would take the line from the holder for nothing.
        return (int) HELD.getOpaque(this) == 0 && HELD.compareAndSet(this, 0, 1);
    }

    private void waitFor() {
        for (int tries = 0; tries < SPINS + YIELDS; tries++) {
            if (tryLock()) {
                return;
            }
            if (tries < SPINS) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
        Thread me = Thread.currentThread();
        parked.add(me);
        PARKING.getAndAdd(this, 1); // a full fence before the re-check below
        try {
            while (!tryLock()) {
                if (me.isInterrupted()) {
                    Thread.yield(); // park returns at once while interrupted; the flag is the caller's to keep
                } else {
                    LockSupport.parkNanos(this, PARK_NANOS);
                }
            }
        } finally {
            PARKING.getAndAdd(this, -1);
            parked.remove(me);
        }
    }

    /** Threads parked waiting for it now (tests). */
    int parkedWaiters() {
        return parked.size();
    }

    /** Whether some thread holds it (assertions and tests). */
    boolean isHeld() {
        return (int) HELD.getVolatile(this) != 0;
    }
}
