package dev.kvbm.core.integrity;

import dev.kvbm.api.KvbmException;
import java.util.Locale;

/** How often onboarded blocks are checked against the checksum taken when they were first stored. */
public enum IntegrityMode {
    /** No checksums are taken or checked. */
    OFF,
    /** One block in {@code BlockChecksums.SAMPLE_EVERY} (8), chosen by hash so a run is reproducible. */
    SAMPLED,
    /** Every onboarded block. */
    ALWAYS;

    public static IntegrityMode parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw KvbmException.invalid("integrity", text, "one of off, sampled, always");
        }
    }
}
