package dev.kvbm.transport.zmq;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.config.ConfigKeys;
import java.util.Map;

/**
 * Keys of {@link dev.kvbm.api.spi.TransportConfig#options()} the ZeroMQ transport reads, and the
 * Dynamo-compatible endpoint resolution.
 */
public final class ZmqOptions {
    /** {@code true}: the leader may bind a non-loopback address (logged as a warning). Default: loopback only. */
    public static final String ALLOW_NON_LOOPBACK = "zmq.bind.allowNonLoopback";
    /** Leader: a ZeroMQ certificate file (zpl, as {@code ZCert} writes it) holding its CURVE public and secret key. */
    public static final String CURVE_SERVER_SECRET_FILE = "zmq.curve.serverSecretFile";
    /** Worker: a certificate file holding the leader's CURVE public key; enables encryption. */
    public static final String CURVE_SERVER_PUBLIC_FILE = "zmq.curve.serverPublicFile";
    /** Worker: its own certificate (public and secret key); default a fresh key pair per process. */
    public static final String CURVE_CLIENT_SECRET_FILE = "zmq.curve.clientSecretFile";
    /**
     * Leader: a directory of worker public certificates; when set, only workers whose keys are there may
     * connect (ZAP authentication).
     */
    public static final String CURVE_ALLOWED_CLIENTS_DIR = "zmq.curve.allowedClientsDir";
    /**
     * The longest message part any socket accepts, in bytes; a peer that sends (or announces) a longer one is
     * disconnected before anything is allocated. Default {@link #DEFAULT_MAX_MESSAGE_BYTES}.
     */
    public static final String MAX_MESSAGE_BYTES = "zmq.maxMessageBytes";
    /**
     * 16 MiB: the largest legitimate part is a {@code transfer_blocks} request, at most 24 bytes per block pair
     * ({@code [4294967295,4294967295],}) plus its pool names, so this carries about 700,000 pairs in one request,
     * far more than a batch of offloads or an onboarding of a whole sequence.
     */
    public static final long DEFAULT_MAX_MESSAGE_BYTES = 16L << 20;
    /**
     * Milliseconds between ZMTP heartbeats (PING) on every connection; a peer that answers nothing within
     * {@link #HEARTBEAT_TIMEOUT_MILLIS} is dropped, and a connecting socket reconnects. Default 1000.
     */
    public static final String HEARTBEAT_MILLIS = "zmq.heartbeatMillis";
    /**
     * Milliseconds without any traffic after a heartbeat before the connection counts as dead, and the longest a
     * new connection's handshake may take before it is dropped and retried. Default 5000.
     */
    public static final String HEARTBEAT_TIMEOUT_MILLIS = "zmq.heartbeatTimeoutMillis";

    private ZmqOptions() {
    }

    /** The two leader endpoints: Dynamo's defaults or environment, plus {@code 2 * rank} on both ports. */
    public record Endpoints(String publish, String ack) {
    }

    /** Resolves {@code DYN_KVBM_LEADER_ZMQ_HOST}, {@code _PUB_PORT}, {@code _ACK_PORT} for data-parallel {@code rank}. */
    public static Endpoints endpoints(Map<String, String> env, int rank) {
        if (rank < 0) {
            throw KvbmException.invalid("rank", rank, ">= 0");
        }
        String host = env.getOrDefault(ConfigKeys.LEADER_ZMQ_HOST, ConfigKeys.DEFAULT_LEADER_HOST).trim();
        if (host.isEmpty()) {
            host = ConfigKeys.DEFAULT_LEADER_HOST;
        }
        int pub = port(env, ConfigKeys.LEADER_ZMQ_PUB_PORT, ConfigKeys.DEFAULT_LEADER_PUB_PORT) + 2 * rank;
        int ack = port(env, ConfigKeys.LEADER_ZMQ_ACK_PORT, ConfigKeys.DEFAULT_LEADER_ACK_PORT) + 2 * rank;
        if (pub > 65535 || ack > 65535) {
            throw KvbmException.invalid("rank", rank, "small enough that base port + 2 * rank <= 65535");
        }
        if (pub == ack) {
            throw KvbmException.invalid(ConfigKeys.LEADER_ZMQ_ACK_PORT, ack, "different from " + ConfigKeys.LEADER_ZMQ_PUB_PORT);
        }
        String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return new Endpoints("tcp://" + h + ":" + pub, "tcp://" + h + ":" + ack);
    }

    private static int port(Map<String, String> env, String key, int fallback) {
        String text = env.get(key);
        if (text == null || text.isBlank()) {
            return fallback;
        }
        try {
            int p = Integer.parseInt(text.trim());
            if (p >= 1 && p <= 65535) {
                if (p < 1024) {
                    System.getLogger(ZmqOptions.class.getName()).log(System.Logger.Level.WARNING,
                            key + "=" + p + " is a privileged port (< 1024)");
                }
                return p;
            }
        } catch (NumberFormatException ignored) {
            // as Dynamo: an invalid port falls back to the default, with a warning
        }
        System.getLogger(ZmqOptions.class.getName()).log(System.Logger.Level.WARNING,
                key + " must be a port in 1..65535 (got '" + text + "'); using " + fallback);
        return fallback;
    }

    /** {@link #MAX_MESSAGE_BYTES}: 4096 .. 2^31 - 1 bytes. */
    public static long maxMessageBytes(Map<String, String> options) {
        return number(options, MAX_MESSAGE_BYTES, DEFAULT_MAX_MESSAGE_BYTES, 4096, Integer.MAX_VALUE);
    }

    /** {@link #HEARTBEAT_MILLIS}: 10 .. 600,000 ms. */
    public static int heartbeatMillis(Map<String, String> options) {
        return (int) number(options, HEARTBEAT_MILLIS, 1000, 10, 600_000);
    }

    /** {@link #HEARTBEAT_TIMEOUT_MILLIS}: 10 .. 600,000 ms. */
    public static int heartbeatTimeoutMillis(Map<String, String> options) {
        return (int) number(options, HEARTBEAT_TIMEOUT_MILLIS, 5000, 10, 600_000);
    }

    private static long number(Map<String, String> options, String key, long fallback, long min, long max) {
        String v = options.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            long n = Long.parseLong(v.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw KvbmException.invalid(key, v, min + ".." + max);
    }

    public static boolean flag(Map<String, String> options, String key) {
        String v = options.get(key);
        if (v == null) {
            return false;
        }
        if (v.equalsIgnoreCase("true") || v.equals("1")) {
            return true;
        }
        if (v.equalsIgnoreCase("false") || v.equals("0")) {
            return false;
        }
        throw KvbmException.invalid(key, v, "true or false");
    }

}
