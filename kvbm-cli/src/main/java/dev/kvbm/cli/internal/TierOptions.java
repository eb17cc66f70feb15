package dev.kvbm.cli.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code --tier-option KEY=VALUE}: the command-line form of {@code KVBM_JAVA_OPTS=-DKEY=VALUE}. Tier, engine and
 * transport providers read an option from their options map, then the system property of that name, then the
 * environment, so the option becomes that system property before anything is built (and a {@code -D} of the same
 * key is overridden), and worker processes get it as {@code -DKEY=VALUE}. Keys are kvbm's own
 * ({@code kvbm.disk.posix.threads}, {@code kvbm.host.mlock}, {@code zmq.maxMessageBytes}, ...) or Dynamo's
 * ({@code DYN_KVBM_DISK_CACHE_DIR}, ...): anything else is a typo, refused naming the forms accepted.
 */
final class TierOptions {
    private static final Pattern KEY = Pattern.compile("(kvbm\\.|zmq\\.|DYN_KVBM_)[A-Za-z0-9_.-]+");

    private TierOptions() {
    }

    /** Checks every key and value, then sets them as system properties; returns them in the order given. */
    static Map<String, String> apply(Map<String, String> options) {
        Map<String, String> checked = new LinkedHashMap<>();
        if (options == null) {
            return checked;
        }
        options.forEach((key, value) -> {
            if (!KEY.matcher(key).matches()) {
                throw new UsageException("--tier-option: '" + key + "' is not an option key (kvbm.*, zmq.* or DYN_KVBM_*; "
                        + "the README's tier sections list them)");
            }
            if (value == null || value.isBlank()) {
                throw new UsageException("--tier-option " + key + " needs a value (KEY=VALUE)");
            }
            checked.put(key, value.strip());
        });
        checked.forEach(System::setProperty);
        return checked;
    }

    /** The same options as JVM flags, for the processes this one starts. */
    static List<String> jvmFlags(Map<String, String> options) {
        List<String> flags = new ArrayList<>();
        options.forEach((k, v) -> flags.add("-D" + k + "=" + v));
        return flags;
    }
}
