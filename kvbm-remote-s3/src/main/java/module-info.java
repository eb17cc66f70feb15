/**
 * G4 on the S3 API (AWS S3, MinIO, Ceph RGW, S3Proxy) through the AWS SDK for Java v2. Provider {@code s3},
 * found through the registry as a {@link dev.kvbm.api.spi.RemoteTierProvider}.
 *
 * <p>URI {@code s3://BUCKET?endpoint=URL&region=REGION}; without them Dynamo's variables apply:
 * {@code DYN_KVBM_OBJECT_BUCKET} (a {@code {worker_id}} in it becomes the rank), {@code DYN_KVBM_OBJECT_ENDPOINT},
 * {@code DYN_KVBM_OBJECT_REGION} (default {@code us-east-1}). Credentials only from
 * {@code DYN_KVBM_OBJECT_ACCESS_KEY} / {@code DYN_KVBM_OBJECT_SECRET_KEY} (else the SDK's default chain), never
 * from the URI. {@code DYN_KVBM_OBJECT_NUM_BLOCKS} bounds the objects this instance keeps: beyond it the objects
 * it used least recently are deleted. That bounds only what this process wrote or read since it started; objects
 * other instances wrote, and objects left by a process that ended, are not counted (use a bucket lifecycle rule).
 *
 * <p>Objects are written with {@code If-None-Match: *} (write-once) in {@link dev.kvbm.api.spi.RemoteValueFormat}.
 */
module dev.kvbm.tier.s3 {
    requires dev.kvbm.api;
    requires software.amazon.awssdk.services.s3;
    requires software.amazon.awssdk.core;
    requires software.amazon.awssdk.auth;
    requires software.amazon.awssdk.regions;
    requires software.amazon.awssdk.http;
    requires software.amazon.awssdk.http.urlconnection;
    requires software.amazon.awssdk.awscore;
    requires software.amazon.awssdk.identity.spi;
    requires software.amazon.awssdk.utils;

    provides dev.kvbm.api.spi.TierProvider with dev.kvbm.tier.s3.internal.S3TierProvider;
}
