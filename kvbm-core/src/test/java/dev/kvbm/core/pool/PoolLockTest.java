package dev.kvbm.core.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.Tier;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PoolLockTest {
    private int plainCounter; // guarded by the lock under test only

    @Test
    void threadsNeverOverlapAndNoIncrementIsLost() throws Exception {
        PoolLock lock = new PoolLock();
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        int threads = 4;
        int rounds = 100_000;
        List<Thread> running = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int seed = t;
            running.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < rounds; i++) {
                    lock.lock();
                    try {
                        if (inside.incrementAndGet() != 1) {
                            overlaps.incrementAndGet();
                        }
                        plainCounter++;
                        if ((i + seed) % 20_000 == 0) {
                            sleep(2); // a slow holder: the others reach their yield and park phases
                        }
                        inside.decrementAndGet();
                    } finally {
                        lock.unlock();
                    }
                }
            }));
        }
        for (Thread t : running) {
            t.join(TimeUnit.SECONDS.toMillis(60));
            assertFalse(t.isAlive(), "a thread is still waiting for the lock");
        }
        assertEquals(0, overlaps.get());
        assertEquals(threads * rounds, plainCounter);
        assertFalse(lock.isHeld());
        assertEquals(0, lock.parkedWaiters());
    }

    @Test
    void aWaiterGetsTheLockOnlyAfterALongHolderLeaves() throws Exception {
        PoolLock lock = new PoolLock();
        lock.lock();
        AtomicLong acquiredAt = new AtomicLong();
        Thread waiter = Thread.ofPlatform().start(() -> {
            lock.lock();
            acquiredAt.set(System.nanoTime());
            lock.unlock();
        });
        sleep(50);
        assertEquals(0, acquiredAt.get(), "the waiter entered while the lock was held");
        long releasedAt = System.nanoTime();
        lock.unlock();
        waiter.join(10_000);
        assertFalse(waiter.isAlive());
        assertTrue(acquiredAt.get() >= releasedAt);
        // The parked waiter is woken by the unlock (or, had it been missed, retries after PARK_NANOS).
        assertTrue(acquiredAt.get() - releasedAt < TimeUnit.MILLISECONDS.toNanos(500),
                (acquiredAt.get() - releasedAt) + " ns from release to acquisition");
    }

    @Test
    void anInterruptedWaiterStillWaitsForTheLockAndKeepsItsInterrupt() throws Exception {
        PoolLock lock = new PoolLock();
        lock.lock();
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean enteredWhileHeld = new AtomicBoolean();
        AtomicBoolean stillInterrupted = new AtomicBoolean();
        AtomicBoolean holderDone = new AtomicBoolean();
        Thread waiter = Thread.ofPlatform().start(() -> {
            Thread.currentThread().interrupt();
            started.countDown();
            lock.lock();
            enteredWhileHeld.set(!holderDone.get());
            stillInterrupted.set(Thread.currentThread().isInterrupted());
            lock.unlock();
        });
        started.await();
        sleep(30);
        holderDone.set(true);
        lock.unlock();
        waiter.join(10_000);
        assertFalse(waiter.isAlive());
        assertFalse(enteredWhileHeld.get());
        assertTrue(stillInterrupted.get());
    }

    /** The pool under its lock: every thread's allocate, register and release counted exactly. */
    @Test
    void concurrentAllocateRegisterReleaseKeepsExactPoolCounts() throws Exception {
        int blocks = 64;
        BlockPool pool = new BlockPool("locked", Tier.G1, blocks);
        int threads = 4;
        int perThread = 5_000;
        AtomicLong nextHash = new AtomicLong(1);
        List<Thread> running = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            running.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < perThread; i++) {
                    MutableBlock m = pool.allocate(1).getFirst();
                    m.complete(nextHash.getAndIncrement(), OptionalLong.empty());
                    ImmutableBlock b = pool.register(List.of(m)).getFirst();
                    b.close();
                    b.close(); // a second close changes nothing
                }
            }));
        }
        for (Thread t : running) {
            t.join(TimeUnit.SECONDS.toMillis(60));
            assertFalse(t.isAlive());
        }
        pool.checkInvariants();
        PoolStatus s = pool.status();
        int ops = threads * perThread;
        assertEquals(new PoolStatus(blocks, 0, blocks, 0, 0, blocks, ops - blocks), s);
        // Every survivor is a hash one of the threads registered (which ones depends on how the releases interleaved).
        long[] kept = pool.registeredHashes();
        assertEquals(blocks, kept.length);
        for (long h : kept) {
            assertTrue(h >= 1 && h <= ops, "hash " + h);
        }
        // A block released just now is free for the next allocation of any thread.
        MutableBlock again = pool.allocate(1).getFirst();
        assertEquals(blocks - 1, pool.status().inactive());
        again.close();
        assertEquals(1, pool.status().free());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
