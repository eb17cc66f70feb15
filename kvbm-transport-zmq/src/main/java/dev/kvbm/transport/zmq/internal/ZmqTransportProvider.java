package dev.kvbm.transport.zmq.internal;

import dev.kvbm.api.spi.TransportConfig;
import dev.kvbm.api.spi.TransportProvider;
import dev.kvbm.api.spi.WorkerTransport;
import java.util.Optional;

/** {@code zmq}: Dynamo's leader/worker messaging over ZeroMQ (pure-Java JeroMQ, so always available). */
public final class ZmqTransportProvider implements TransportProvider {

    @Override
    public String name() {
        return "zmq";
    }

    @Override
    public String description() {
        return "ZeroMQ (JeroMQ) PUB/PULL leader, SUB/PUSH workers, Dynamo-compatible frames, optional CURVE";
    }

    @Override
    public boolean isAvailable() {
        return true;
    }

    @Override
    public Optional<String> unavailabilityCause() {
        return Optional.empty();
    }

    @Override
    public ZmqLeaderTransport openLeader(TransportConfig config) {
        return new ZmqLeaderTransport(config);
    }

    @Override
    public WorkerTransport openWorker(TransportConfig config) {
        return new ZmqWorkerTransport(config);
    }
}
