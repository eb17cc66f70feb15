package dev.kvbm.tier.s3.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Where the S3 G4 lives: bucket, endpoint, region, credentials and the per-instance object bound, from the
 * URI and Dynamo's {@code DYN_KVBM_OBJECT_*} variables (the URI wins; credentials come only from the environment).
 */
record S3Endpoint(String bucket, Optional<URI> endpoint, String region, Optional<String> accessKey,
                  Optional<String> secretKey, long maxBlocks) {
    static final String ENV_BUCKET = "DYN_KVBM_OBJECT_BUCKET";
    static final String ENV_ENDPOINT = "DYN_KVBM_OBJECT_ENDPOINT";
    static final String ENV_REGION = "DYN_KVBM_OBJECT_REGION";
    static final String ENV_ACCESS_KEY = "DYN_KVBM_OBJECT_ACCESS_KEY";
    static final String ENV_SECRET_KEY = "DYN_KVBM_OBJECT_SECRET_KEY";
    static final String ENV_NUM_BLOCKS = "DYN_KVBM_OBJECT_NUM_BLOCKS";
    static final String DEFAULT_REGION = "us-east-1";

    static S3Endpoint parse(URI uri, int rank, Map<String, String> env) {
        if (!"s3".equalsIgnoreCase(uri.getScheme())) {
            throw KvbmException.invalid("g4", "'" + uri.getScheme() + "'", "a URI of scheme s3");
        }
        if (uri.getRawUserInfo() != null) {
            throw KvbmException.forField(ErrorCode.INVALID_CONFIG, "g4", "credentials are not accepted in a G4 URI; set "
                    + ENV_ACCESS_KEY + " and " + ENV_SECRET_KEY);
        }
        Map<String, String> query = query(uri);
        for (String key : query.keySet()) {
            if (!key.equals("endpoint") && !key.equals("region")) {
                throw KvbmException.invalid("g4 query parameter", "'" + key + "'", "endpoint or region");
            }
        }
        String bucket = uri.getHost() != null ? uri.getHost() : env.get(ENV_BUCKET);
        if (bucket == null || bucket.isBlank()) {
            throw KvbmException.invalid("g4 bucket", "nothing", "s3://BUCKET or " + ENV_BUCKET);
        }
        bucket = bucket.replace("{worker_id}", Integer.toString(rank));
        if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
            throw KvbmException.invalid("g4 bucket", "'" + bucket + "'", "3..63 of lower-case letters, digits, '.' and '-'");
        }
        String endpointText = query.getOrDefault("endpoint", env.get(ENV_ENDPOINT));
        Optional<URI> endpoint = Optional.empty();
        if (endpointText != null && !endpointText.isBlank()) {
            URI e = URI.create(endpointText);
            if (e.getScheme() == null || !(e.getScheme().equals("http") || e.getScheme().equals("https"))) {
                throw KvbmException.invalid("g4 endpoint", "'" + endpointText + "'", "an http:// or https:// URL");
            }
            endpoint = Optional.of(e);
        }
        String region = query.getOrDefault("region", env.getOrDefault(ENV_REGION, DEFAULT_REGION));
        long maxBlocks = Long.MAX_VALUE;
        String n = env.get(ENV_NUM_BLOCKS);
        if (n != null && !n.isBlank()) {
            try {
                maxBlocks = Long.parseLong(n.trim());
            } catch (NumberFormatException e) {
                maxBlocks = -1;
            }
            if (maxBlocks < 1) {
                throw KvbmException.invalid(ENV_NUM_BLOCKS, "'" + n + "'", "an integer >= 1");
            }
        }
        return new S3Endpoint(bucket, endpoint, region, Optional.ofNullable(env.get(ENV_ACCESS_KEY)).filter(s -> !s.isEmpty()),
                Optional.ofNullable(env.get(ENV_SECRET_KEY)).filter(s -> !s.isEmpty()), maxBlocks);
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> q = new HashMap<>();
        if (uri.getRawQuery() == null) {
            return q;
        }
        for (String pair : uri.getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                q.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return q;
    }

    /** For logs and reports: never credentials. */
    String display() {
        return "s3://" + bucket + endpoint.map(e -> " at " + e).orElse("") + " (" + region + ")";
    }
}
