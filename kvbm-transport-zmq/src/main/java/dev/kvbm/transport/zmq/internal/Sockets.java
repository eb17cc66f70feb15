package dev.kvbm.transport.zmq.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.transport.zmq.ZmqOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.zeromq.ZConfig;
import org.zeromq.ZMQ;

/** Socket set-up shared by both sides: bind policy, CURVE keys, frames in and out. */
final class Sockets {
    private static final System.Logger LOG = System.getLogger(Sockets.class.getName());

    private Sockets() {
    }

    /** Refuses to bind a non-loopback address unless the option allows it, and then warns. */
    static void checkBind(String endpoint, Map<String, String> options) {
        String host = host(endpoint);
        boolean loopback;
        try {
            loopback = !host.equals("*") && InetAddress.getByName(host).isLoopbackAddress();
        } catch (IOException e) {
            loopback = false;
        }
        if (loopback) {
            return;
        }
        if (!ZmqOptions.flag(options, ZmqOptions.ALLOW_NON_LOOPBACK)) {
            throw KvbmException.forField(ErrorCode.INVALID_CONFIG, "endpoint", "endpoint " + endpoint
                    + " is not a loopback address; binding it exposes the leader to the network: set "
                    + ZmqOptions.ALLOW_NON_LOOPBACK + "=true (kvbm leader --allow-non-loopback), and preferably CURVE keys, "
                    + "to allow it");
        }
        LOG.log(System.Logger.Level.WARNING, "binding " + endpoint + ", which is reachable from other hosts"
                + (options.containsKey(ZmqOptions.CURVE_SERVER_SECRET_FILE) ? " (CURVE encrypted)" : " without encryption"));
    }

    /**
     * Limits every socket the same way: no message part longer than {@link ZmqOptions#MAX_MESSAGE_BYTES} (a
     * peer announcing one is disconnected before anything is allocated), and ZMTP heartbeats so a dead or
     * wedged connection is dropped (and, on a connecting socket, reconnected) instead of waited on forever.
     */
    static void limit(ZMQ.Socket s, Map<String, String> options) {
        int timeout = ZmqOptions.heartbeatTimeoutMillis(options);
        s.setMaxMsgSize(ZmqOptions.maxMessageBytes(options));
        s.setHeartbeatIvl(ZmqOptions.heartbeatMillis(options));
        s.setHeartbeatTimeout(timeout);
        s.setHeartbeatTtl(timeout);
        // JeroMQ 0.6.0 now and then leaves a fresh TCP connection without its ZMTP handshake (the greeting sits
        // unread in the socket; seen about 1 in 10 between two contexts of one JVM): a handshake not done within
        // the heartbeat timeout is dropped and retried, instead of waiting out JeroMQ's default of 30 s.
        s.setHandshakeIvl(timeout);
    }

    /**
     * JeroMQ resolves only IPv4 unless a socket has IPv6 on ({@code ::1 not found matching IPv4/IPv6 settings}): an
     * endpoint whose host is an IPv6 address ({@code tcp://[::1]:57301}) turns it on for that socket. IPv4 endpoints
     * keep the default, so a name like {@code localhost} still resolves to 127.0.0.1 as before.
     */
    static void ipv6For(ZMQ.Socket s, String endpoint) {
        if (host(endpoint).contains(":")) {
            s.setIPv6(true);
        }
    }

    static String host(String endpoint) {
        if (!endpoint.startsWith("tcp://")) {
            throw KvbmException.invalid("endpoint", endpoint, "tcp://HOST:PORT");
        }
        String rest = endpoint.substring(6);
        int colon = rest.lastIndexOf(':');
        if (colon <= 0) {
            throw KvbmException.invalid("endpoint", endpoint, "tcp://HOST:PORT");
        }
        String host = rest.substring(0, colon);
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    /** The (public, secret) keys of a certificate file, or an error naming the option. */
    static byte[][] readCert(String option, String file, boolean needSecret) {
        Path p = Path.of(file);
        if (!Files.isReadable(p)) {
            throw KvbmException.invalid(option, file, "a readable ZeroMQ certificate file");
        }
        try {
            ZConfig conf = ZConfig.load(p.toString());
            String pub = conf.getValue("curve/public-key");
            String sec = conf.getValue("curve/secret-key");
            if (pub == null || pub.length() != 40 || (needSecret && (sec == null || sec.length() != 40))) {
                throw KvbmException.invalid(option, file, "a certificate with a 40-character Z85 curve/public-key"
                        + (needSecret ? " and curve/secret-key" : ""));
            }
            return new byte[][] {ZMQ.Curve.z85Decode(pub), sec == null ? null : ZMQ.Curve.z85Decode(sec)};
        } catch (IOException e) {
            throw new KvbmException(ErrorCode.IO_ERROR, option + ": cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    static void serverCurve(ZMQ.Socket s, byte[][] keys) {
        s.setCurveServer(true);
        s.setCurvePublicKey(keys[0]);
        s.setCurveSecretKey(keys[1]);
    }

    static void clientCurve(ZMQ.Socket s, byte[] serverPublic, byte[][] own) {
        s.setCurveServerKey(serverPublic);
        s.setCurvePublicKey(own[0]);
        s.setCurveSecretKey(own[1]);
    }

    /** Receives one multipart message (null on timeout); the first frame's metadata goes to {@code meta[0]}. */
    static List<byte[]> receive(ZMQ.Socket socket, zmq.io.Metadata[] meta) {
        zmq.Msg first = socket.base().recv(0);
        if (first == null) {
            return null;
        }
        if (meta != null) {
            meta[0] = first.getMetadata();
        }
        List<byte[]> frames = new ArrayList<>(4);
        frames.add(first.data());
        zmq.Msg m = first;
        // A multipart message arrives whole, so the rest never waits; bound it anyway against a flood of parts.
        while (m.hasMore()) {
            m = socket.base().recv(0);
            if (m == null) {
                break;
            }
            if (frames.size() < 64) {
                frames.add(m.data());
            } else {
                frames.add(null); // marks "too many frames" without keeping them
            }
        }
        return frames;
    }

    static boolean send(ZMQ.Socket socket, List<byte[]> frames) {
        for (int i = 0; i < frames.size(); i++) {
            boolean more = i + 1 < frames.size();
            if (!socket.send(frames.get(i), more ? ZMQ.SNDMORE : 0)) {
                return false;
            }
        }
        return true;
    }

    static byte[] id(long id) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (id >>> (56 - 8 * i));
        }
        return b;
    }

    static long id(byte[] b) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[i] & 0xFF);
        }
        return v;
    }

    /** Logs the first occurrences of a repeated problem and then only every power of two, so a flood cannot fill the log. */
    static void logRepeated(System.Logger log, long count, String message) {
        if (count <= 10 || Long.bitCount(count) == 1) {
            log.log(System.Logger.Level.WARNING, message + " (" + count + " so far)");
        } else {
            log.log(System.Logger.Level.DEBUG, message);
        }
    }
}
