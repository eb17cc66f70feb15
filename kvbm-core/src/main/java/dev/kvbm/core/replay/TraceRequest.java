package dev.kvbm.core.replay;

/**
 * One request of a trace: when it arrived, its lengths, and its blocks as prefix hash ids (one id =
 * one KV block; equal ids at the start of two requests mean a shared prefix).
 */
public record TraceRequest(long timestamp, long inputLength, long outputLength, long[] hashIds) {
    public TraceRequest {
        hashIds = hashIds.clone();
    }

    @Override
    public long[] hashIds() {
        return hashIds.clone();
    }

    public int blocks() {
        return hashIds.length;
    }

    long hashId(int i) {
        return hashIds[i];
    }
}
