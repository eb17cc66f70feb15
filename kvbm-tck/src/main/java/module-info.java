/**
 * The kvbm TCK: abstract JUnit 5 tests that a provider module extends in its own test sources by
 * supplying factory methods. A capability a module does not have is declared through
 * {@link dev.kvbm.tck.TransferEngineContract#hasBehavior}; a missing library or device is a skip
 * (JUnit assumption), never a failure.
 */
module dev.kvbm.tck {
    requires transitive dev.kvbm.api;
    requires transitive org.junit.jupiter.api;
    requires transitive org.junit.jupiter.params;

    exports dev.kvbm.tck;
    opens dev.kvbm.tck to org.junit.platform.commons;
}
