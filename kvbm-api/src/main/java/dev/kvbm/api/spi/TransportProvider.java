package dev.kvbm.api.spi;

/** Leader/worker messaging (ZeroMQ in kvbm-transport-zmq). */
public interface TransportProvider extends KvbmProvider {

    LeaderTransport openLeader(TransportConfig config);

    WorkerTransport openWorker(TransportConfig config);
}
