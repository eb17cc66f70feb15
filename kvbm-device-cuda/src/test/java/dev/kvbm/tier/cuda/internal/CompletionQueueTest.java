package dev.kvbm.tier.cuda.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Event completion without a GPU: fake events are latches the test releases. */
class CompletionQueueTest {

    static final class Event {
        final CountDownLatch done = new CountDownLatch(1);
        final boolean fail;
        volatile boolean destroyed;

        Event(boolean fail) {
            this.fail = fail;
        }
    }

    final Set<Thread> waitingThreads = ConcurrentHashMap.newKeySet();
    final List<Event> awaited = Collections.synchronizedList(new ArrayList<>());

    CompletionQueue<Event> queue() {
        return queue(CompletionQueue.CLOSE_TIMEOUT);
    }

    CompletionQueue<Event> queue(Duration closeTimeout) {
        return new CompletionQueue<>("test", new CompletionQueue.Waiter<>() {
            @Override
            public void await(Event e) throws Exception {
                waitingThreads.add(Thread.currentThread());
                assertTrue(e.done.await(10, TimeUnit.SECONDS), "event never released");
                awaited.add(e);
                if (e.fail) {
                    throw new KvbmException(ErrorCode.NATIVE_FAILURE, "cuEventSynchronize failed: CUDA_ERROR_LAUNCH_FAILED");
                }
            }

            @Override
            public void destroy(Event e) {
                e.destroyed = true;
            }
        }, closeTimeout);
    }

    static Event completed() {
        Event e = new Event(false);
        e.done.countDown();
        return e;
    }

    @Test
    void futuresCompleteInOrderOnOneThreadAfterTheirEvents() throws Exception {
        try (CompletionQueue<Event> q = queue()) {
            List<Event> events = new ArrayList<>();
            List<CompletableFuture<Void>> futures = new ArrayList<>();
            int[] cleaned = new int[1];
            for (int i = 0; i < 50; i++) {
                Event e = new Event(false);
                CompletableFuture<Void> f = new CompletableFuture<>();
                events.add(e);
                futures.add(f);
                q.submit(e, f, () -> cleaned[0]++);
            }
            assertFalse(futures.getFirst().isDone(), "not before the event");
            assertEquals(50, q.pending());
            for (Event e : events) {
                e.done.countDown();
            }
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            assertEquals(events, awaited, "FIFO, as the stream completes them");
            assertEquals(Set.of(q.thread()), waitingThreads, "one thread for all transfers");
            assertEquals(50, cleaned[0]);
            assertTrue(events.stream().allMatch(e -> e.destroyed));
            assertEquals(0, q.pending());
        }
    }

    @Test
    void aFailedEventFailsOnlyItsFuture() throws Exception {
        try (CompletionQueue<Event> q = queue()) {
            Event bad = new Event(true);
            Event good = new Event(false);
            CompletableFuture<Void> f1 = new CompletableFuture<>();
            CompletableFuture<Void> f2 = new CompletableFuture<>();
            q.submit(bad, f1, null);
            q.submit(good, f2, null);
            bad.done.countDown();
            good.done.countDown();
            CompletionException e = assertThrows(CompletionException.class, f1::join);
            KvbmException k = assertInstanceOf(KvbmException.class, e.getCause());
            assertEquals(ErrorCode.TRANSFER_FAILED, k.code());
            assertTrue(k.getMessage().contains("CUDA_ERROR_LAUNCH_FAILED"));
            f2.get(10, TimeUnit.SECONDS);
            assertTrue(bad.destroyed && good.destroyed);
        }
    }

    @Test
    void closeDrainsQueuedWorkThenRefusesMore() {
        CompletionQueue<Event> q = queue();
        Event e = new Event(false);
        CompletableFuture<Void> f = new CompletableFuture<>();
        q.submit(e, f, null);
        e.done.countDown();
        q.close();
        assertTrue(f.isDone() && !f.isCompletedExceptionally());
        assertFalse(q.thread().isAlive());
        KvbmException k = assertThrows(KvbmException.class, () -> q.submit(new Event(false), new CompletableFuture<>(), null));
        assertEquals(ErrorCode.INVALID_STATE, k.code());
    }

    @Test
    void theThreadStartsWithTheFirstSubmissionAndAnUnusedQueueClosesWithoutOne() throws Exception {
        CompletionQueue<Event> unused = queue();
        assertNull(unused.thread(), "no thread before any transfer");
        unused.close();
        try (CompletionQueue<Event> q = queue()) {
            assertNull(q.thread());
            CompletableFuture<Void> f = new CompletableFuture<>();
            q.submit(completed(), f, null);
            assertNotNull(q.thread());
            f.get(10, TimeUnit.SECONDS);
        }
    }

    /**
     * Submitters race close(): a submission either fails with INVALID_STATE or its future completes.
     * Before submit and close were serialized, a job could land behind the thread's STOP and never complete.
     */
    @Test
    void everyAcceptedSubmissionCompletesWhenCloseRacesIt() throws Exception {
        ExecutorService submitters = Executors.newFixedThreadPool(3);
        try {
            for (int round = 0; round < 300; round++) {
                CompletionQueue<Event> q = queue();
                List<CompletableFuture<Void>> accepted = new CopyOnWriteArrayList<>();
                CountDownLatch started = new CountDownLatch(3);
                List<Future<?>> running = new ArrayList<>();
                for (int s = 0; s < 3; s++) {
                    running.add(submitters.submit(() -> {
                        started.countDown();
                        while (true) {
                            CompletableFuture<Void> f = new CompletableFuture<>();
                            try {
                                q.submit(completed(), f, null);
                            } catch (KvbmException e) {
                                assertEquals(ErrorCode.INVALID_STATE, e.code());
                                return;
                            }
                            accepted.add(f);
                        }
                    }));
                }
                started.await();
                q.close();
                for (Future<?> r : running) {
                    r.get(10, TimeUnit.SECONDS);
                }
                CompletableFuture.allOf(accepted.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
                assertEquals(0, q.pending(), "round " + round + ": every accepted transfer completed");
            }
        } finally {
            submitters.shutdownNow();
        }
    }

    @Test
    void closeFailsWhatIsQueuedBehindAnEventThatNeverCompletes() throws Exception {
        CompletionQueue<Event> q = queue(Duration.ofMillis(200));
        Event stuck = new Event(false);
        Event behind = new Event(false);
        CompletableFuture<Void> first = new CompletableFuture<>();
        CompletableFuture<Void> second = new CompletableFuture<>();
        boolean[] cleaned = new boolean[1];
        q.submit(stuck, first, null);
        q.submit(behind, second, () -> cleaned[0] = true);
        long start = System.nanoTime();
        q.close();
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "close() is bounded");
        KvbmException k = assertInstanceOf(KvbmException.class,
                assertThrows(CompletionException.class, second::join).getCause());
        assertEquals(ErrorCode.TRANSFER_FAILED, k.code());
        assertTrue(k.getMessage().contains("closed"), k.getMessage());
        assertTrue(behind.destroyed, "its event is released");
        assertFalse(cleaned[0], "its cleanup does not run: the copy may still read the memory it keeps");
        assertEquals(1, q.pending(), "only the stuck transfer is left to its thread");
        stuck.done.countDown();
        first.get(10, TimeUnit.SECONDS);
        q.thread().join(TimeUnit.SECONDS.toMillis(10));
        assertFalse(q.thread().isAlive(), "the thread ends once its event completes");
    }
}
