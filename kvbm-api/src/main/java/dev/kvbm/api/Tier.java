package dev.kvbm.api;

/** The storage tiers, fastest first. Blocks are offloaded down (write-through) and onboarded to G1. */
public enum Tier {
    /** KV blocks in accelerator memory, where the engine reads them (on a CPU-only machine: host memory). */
    G1("device"),
    /** KV blocks in page-locked host memory. */
    G2("host"),
    /** KV blocks on local disk (NVMe, through GPUDirect Storage when a GPU is there). */
    G3("disk"),
    /** KV blocks on remote storage. */
    G4("remote");

    private final String role;

    Tier(String role) {
        this.role = role;
    }

    /** A word for what the tier is: device, host, disk or remote. */
    public String role() {
        return role;
    }

    /** The tier below this one, or null for the last. */
    public Tier next() {
        return ordinal() + 1 < values().length ? values()[ordinal() + 1] : null;
    }

    /** Parses {@code G1}..{@code G4} (any case). */
    public static Tier parse(String text) {
        for (Tier t : values()) {
            if (t.name().equalsIgnoreCase(text.trim())) {
                return t;
            }
        }
        throw KvbmException.invalid("tier", text, "one of G1, G2, G3, G4");
    }
}
