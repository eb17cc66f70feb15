package dev.kvbm.transport.zmq.internal;

import dev.kvbm.api.spi.ProbedProvider;
import dev.kvbm.api.spi.TransportConfig;
import dev.kvbm.api.spi.TransportProvider;
import dev.kvbm.api.spi.WorkerTransport;

/** {@code zmq}: Dynamo's leader/worker messaging over ZeroMQ (pure-Java JeroMQ, so always available). */
public final class ZmqTransportProvider extends ProbedProvider implements TransportProvider {

    public ZmqTransportProvider() {
        super("zmq", "ZeroMQ (JeroMQ) PUB/PULL leader, SUB/PUSH workers, Dynamo-compatible frames, optional CURVE");
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
