package dev.kvbm.tier.cuda.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
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
        });
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
}
