package dev.kvbm.tier.s3.internal;

import java.net.URI;
import java.util.Properties;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** S3Proxy embedded on a free loopback port over an in-memory blob store, with one bucket and a raw client. */
final class S3ProxyServer implements AutoCloseable {
    static final String ACCESS = "kvbm-access";
    static final String SECRET = "kvbm-secret-key";
    static final String BUCKET = "kvbm-g4-test";

    final S3Proxy proxy;
    final S3Client raw;
    final int port;

    S3ProxyServer() throws Exception {
        proxy = S3Proxy.builder().blobStore(BlobStores.create("transient", new Properties()))
                .endpoint(URI.create("http://127.0.0.1:0")).awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS, SECRET)
                .build();
        proxy.start();
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!"STARTED".equals(proxy.getState()) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        port = proxy.getPort();
        raw = S3Client.builder().region(Region.US_EAST_1).endpointOverride(URI.create(endpoint())).forcePathStyle(true)
                .httpClient(UrlConnectionHttpClient.create())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS, SECRET))).build();
        raw.createBucket(r -> r.bucket(BUCKET));
    }

    String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    URI uri() {
        return URI.create("s3://" + BUCKET + "?endpoint=" + endpoint());
    }

    java.util.Map<String, String> env(String... extra) {
        java.util.Map<String, String> env = new java.util.HashMap<>(java.util.Map.of(S3Endpoint.ENV_ACCESS_KEY, ACCESS,
                S3Endpoint.ENV_SECRET_KEY, SECRET));
        for (int i = 0; i + 1 < extra.length; i += 2) {
            env.put(extra[i], extra[i + 1]);
        }
        return env;
    }

    @Override
    public void close() throws Exception {
        raw.close();
        proxy.stop();
    }
}
