package dev.kvbm.core.integrity;

/** What the manager's integrity checks did so far: the mode, and running counts of onboarded blocks. */
public interface ChecksumCounters {

    /** When onboarded blocks are checked. */
    IntegrityMode mode();

    /** Blocks whose checksum was verified on onboarding. */
    long verifiedCount();

    /** Blocks whose bytes did not match their recorded checksum (served as misses). */
    long failureCount();

    /** Blocks that should have been verified but had no recorded checksum. */
    long unverifiableCount();
}
