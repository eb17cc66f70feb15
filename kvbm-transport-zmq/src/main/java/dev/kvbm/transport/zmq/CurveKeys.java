package dev.kvbm.transport.zmq;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import java.io.IOException;
import java.nio.file.Path;
import org.zeromq.ZCert;
import org.zeromq.ZMQ;

/** CURVE key files for multi-host set-ups, in ZeroMQ's certificate format (as czmq and JeroMQ's {@code ZCert} write). */
public final class CurveKeys {
    private CurveKeys() {
    }

    /**
     * Writes a fresh key pair: {@code base} holds the public key (hand it to the other side) and
     * {@code base_secret} both keys (keep it private).
     */
    public static void write(Path base) {
        ZMQ.Curve.KeyPair pair = ZMQ.Curve.generateKeyPair();
        ZCert cert = new ZCert(pair.publicKey, pair.secretKey);
        try {
            cert.savePublic(base.toString());
            cert.saveSecret(base + "_secret");
        } catch (IOException e) {
            throw new KvbmException(ErrorCode.IO_ERROR, "cannot write CURVE keys to " + base + ": " + e.getMessage(), e);
        }
    }
}
