package dev.kvbm.api.spi;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Copies blocks between two physical layouts. Layouts may differ in type (FullyContiguous to
 * LayerSeparate and back) but must share geometry: layers, outer dimension and page bytes.
 *
 * <p>The returned future completes when every byte is in place, or completes exceptionally (with a
 * {@code KvbmException} of code {@code TRANSFER_FAILED}) when any pair failed; the caller then must not
 * register the target blocks. Engines never report errors by killing a thread.
 */
public interface TransferEngine extends AutoCloseable {

    CompletableFuture<Void> transfer(PhysicalLayout source, PhysicalLayout target, List<BlockPair> pairs);

    /** Stops accepting work and releases threads and native resources. */
    @Override
    void close();
}
