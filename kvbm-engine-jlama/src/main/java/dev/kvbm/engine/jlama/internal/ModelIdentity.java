package dev.kvbm.engine.jlama.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.KvGeometry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/** A model's identity for kvbm's hash salt: SHA-256 over the files Jlama reads, the KV dtype and the geometry. */
final class ModelIdentity {

    private ModelIdentity() {
    }

    static String of(Path folder, KvGeometry geometry) {
        MessageDigest sha = sha256();
        byte[] buf = new byte[1 << 20];
        for (Path file : modelFiles(folder)) {
            // Name and length first, so moving bytes between files changes the digest.
            sha.update((file.getFileName() + "\0").getBytes(StandardCharsets.UTF_8));
            try (InputStream in = Files.newInputStream(file)) {
                sha.update(longBytes(Files.size(file)));
                for (int n; (n = in.read(buf)) > 0; ) {
                    sha.update(buf, 0, n);
                }
            } catch (IOException e) {
                throw new KvbmException(ErrorCode.IO_ERROR, "cannot read " + file + " to digest the model: " + e, e);
            }
        }
        sha.update(("kv " + geometry.dtype() + " layers " + geometry.layers() + " outer " + geometry.outer() + " inner "
                + geometry.inner() + " bytes " + geometry.dtypeBytes()).getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(sha.digest());
    }

    /** The JSON and safetensors files of the folder, by name: what Jlama loads (a README does not count). */
    static List<Path> modelFiles(Path folder) {
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(Files::isRegularFile).filter(p -> {
                String n = p.getFileName().toString();
                return n.endsWith(".json") || n.endsWith(".safetensors");
            }).sorted().toList();
        } catch (IOException e) {
            throw new KvbmException(ErrorCode.IO_ERROR, "cannot list the model folder " + folder + ": " + e, e);
        }
    }

    private static byte[] longBytes(long v) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (v >>> (8 * i));
        }
        return b;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
