package dev.kvbm.tier.redis.internal;

import dev.kvbm.api.KvbmException;
import io.lettuce.core.RedisURI;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A parsed G4 Redis URI: standalone or cluster, plain or TLS, with credentials from the environment.
 *
 * @param nodes   one node (standalone) or the cluster's seed nodes
 * @param cluster whether to speak Redis Cluster
 * @param display the URI as shown in logs and reports (never credentials)
 * @param trustedCa PEM file of the certificate authorities a TLS server is checked against, instead of the
 *                  JDK's trust store; empty for the JDK's
 */
record RedisEndpoint(List<RedisURI> nodes, boolean cluster, String display, java.util.Optional<java.nio.file.Path> trustedCa) {
    static final String ENV_USERNAME = "KVBM_REDIS_USERNAME";
    static final String ENV_PASSWORD = "KVBM_REDIS_PASSWORD";
    static final String ENV_TLS_CA = "KVBM_REDIS_TLS_CA";
    static final int DEFAULT_PORT = 6379;

    static RedisEndpoint parse(URI uri, Duration timeout, Map<String, String> env) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        boolean tls = scheme.equals("rediss") || scheme.equals("rediss-cluster");
        boolean cluster = scheme.endsWith("-cluster");
        if (!List.of("redis", "rediss", "redis-cluster", "rediss-cluster").contains(scheme)) {
            throw KvbmException.invalid("g4", "'" + uri.getScheme() + "'",
                    "a URI of scheme redis, rediss, redis-cluster or rediss-cluster");
        }
        String authority = uri.getRawAuthority();
        if (authority == null || authority.isBlank()) {
            throw KvbmException.invalid("g4", "'" + scheme + "://'", "HOST:PORT after " + scheme + "://");
        }
        if (authority.contains("@") || uri.getRawQuery() != null && uri.getRawQuery().contains("password")) {
            // Never echo the value: it may hold a password.
            throw KvbmException.forField(dev.kvbm.api.ErrorCode.INVALID_CONFIG, "g4", "credentials are not accepted in a "
                    + "G4 URI (they would show in process lists and logs); set " + ENV_USERNAME + " and " + ENV_PASSWORD);
        }
        int database = 0;
        String path = uri.getPath();
        if (path != null && path.length() > 1) {
            if (cluster) {
                throw KvbmException.invalid("g4", "'" + path + "'", "no database path: Redis Cluster has only database 0");
            }
            try {
                database = Integer.parseInt(path.substring(1));
            } catch (NumberFormatException e) {
                throw KvbmException.invalid("g4 database", "'" + path.substring(1) + "'", "an integer >= 0");
            }
        }
        String[] hosts = authority.split(",");
        if (!cluster && hosts.length != 1) {
            throw KvbmException.invalid("g4", "'" + authority + "'", "one HOST:PORT (use redis-cluster:// for several)");
        }
        String user = env.get(ENV_USERNAME);
        String password = env.get(ENV_PASSWORD);
        List<RedisURI> nodes = new ArrayList<>();
        for (String hostPort : hosts) {
            String h = hostPort.trim();
            String host;
            int port = DEFAULT_PORT;
            int colon = h.lastIndexOf(':');
            if (colon > 0 && !h.endsWith("]")) {
                host = h.substring(0, colon);
                try {
                    port = Integer.parseInt(h.substring(colon + 1));
                } catch (NumberFormatException e) {
                    throw KvbmException.invalid("g4 port", "'" + h.substring(colon + 1) + "'", "an integer in 1..65535");
                }
            } else {
                host = h;
            }
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            if (host.isEmpty() || port < 1 || port > 65535) {
                throw KvbmException.invalid("g4", "'" + h + "'", "HOST:PORT with a port in 1..65535");
            }
            RedisURI.Builder b = RedisURI.builder().withHost(host).withPort(port).withSsl(tls).withVerifyPeer(tls)
                    .withTimeout(timeout).withDatabase(database);
            if (password != null && !password.isEmpty()) {
                if (user != null && !user.isEmpty()) {
                    b.withAuthentication(user, password.toCharArray());
                } else {
                    b.withPassword(password.toCharArray());
                }
            }
            nodes.add(b.build());
        }
        String display = scheme + "://" + authority + (database != 0 ? "/" + database : "")
                + (password != null && !password.isEmpty() ? " (ACL " + (user == null || user.isEmpty() ? "default" : user)
                + " from " + ENV_PASSWORD + ")" : "");
        java.util.Optional<java.nio.file.Path> ca = java.util.Optional.empty();
        String caFile = env.get(ENV_TLS_CA);
        if (tls && caFile != null && !caFile.isBlank()) {
            java.nio.file.Path caPath = java.nio.file.Path.of(caFile);
            if (!java.nio.file.Files.isReadable(caPath)) {
                throw KvbmException.invalid(ENV_TLS_CA, "'" + caFile + "'", "a readable PEM file of CA certificates");
            }
            ca = java.util.Optional.of(caPath);
        }
        return new RedisEndpoint(List.copyOf(nodes), cluster, display, ca);
    }
}
