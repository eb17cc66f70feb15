package dev.kvbm.cli.internal;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

/**
 * The modules a deployment may leave out of lib/ ({@code requires static} in {@code dev.kvbm.cli}), and the one-line
 * refusal of a command that needs one that is absent. Presence is the boot layer's: a jar in lib/ is resolved by
 * the launcher's {@code --add-modules} (or by service binding), a jar that is not there leaves its module out.
 */
final class OptionalModules {
    static final String HOST = "dev.kvbm.tier.host";
    static final String DISK = "dev.kvbm.tier.disk";
    static final String CUDA = "dev.kvbm.tier.cuda";
    static final String ZMQ = "dev.kvbm.transport.zmq";
    static final String BENCH = "dev.kvbm.bench";
    static final String METRICS = "dev.kvbm.metrics";

    /** The artifact of each optional module, for the jar name of the message. */
    private static final Map<String, String> ARTIFACTS = Map.of(HOST, "kvbm-host-pinned", DISK, "kvbm-disk-gds",
            CUDA, "kvbm-device-cuda", ZMQ, "kvbm-transport-zmq", BENCH, "kvbm-bench", METRICS, "kvbm-metrics");

    private OptionalModules() {
    }

    static boolean present(String module) {
        return ModuleLayer.boot().findModule(module).isPresent();
    }

    /** Fails the command (exit 2, one line) unless {@code module} is in the boot layer. */
    static void require(String module) {
        require(module, null);
    }

    /** As {@link #require(String)}, the line starting with the option that needs the module ({@code --workers}). */
    static void require(String module, String option) {
        if (!present(module)) {
            throw new UsageException((option == null ? "" : option + ": ") + "needs module " + module
                    + ", which is not in this distribution: add " + jarOf(module) + " to lib/");
        }
    }

    /** {@code kvbm-transport-zmq-<version>.jar}, the version taken from this module's own jar name when it has one. */
    static String jarOf(String module) {
        String artifact = ARTIFACTS.getOrDefault(module, module);
        String version = ModuleLayer.boot().configuration().findModule("dev.kvbm.cli")
                .flatMap(m -> m.reference().location()).map(OptionalModules::versionOf).orElse("<version>");
        return artifact + "-" + version + ".jar";
    }

    private static String versionOf(URI jar) {
        String name = "file".equals(jar.getScheme()) ? Path.of(jar).getFileName().toString() : "";
        return name.startsWith("kvbm-cli-") && name.endsWith(".jar")
                ? name.substring("kvbm-cli-".length(), name.length() - ".jar".length()) : "<version>";
    }
}
