package dev.kvbm.api.spi;

/** Leader/worker messaging (ZeroMQ in kvbm-transport-zmq). */
public interface TransportProvider extends KvbmProvider {

    /** The name of kvbm-transport-zmq's provider (Dynamo's wire protocol over ZeroMQ). */
    String ZMQ = "zmq";

    LeaderTransport openLeader(TransportConfig config);

    WorkerTransport openWorker(TransportConfig config);
}
