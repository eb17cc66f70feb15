package dev.kvbm.api;

/** What went wrong, for callers that react to a {@link KvbmException} by kind rather than by text. */
public enum ErrorCode {
    /** A configuration value breaks its rule; the message names the field, the value and the rule. */
    INVALID_CONFIG,
    /** A call argument (an index, a list, a shape) is out of its allowed range. */
    INVALID_ARGUMENT,
    /** A computed byte size does not fit in a signed 64-bit number. */
    SIZE_OVERFLOW,
    /** Storage handed to a layout is smaller than the layout needs, or the wrong count of regions. */
    STORAGE_TOO_SMALL,
    /** No provider of that name is on the module path. */
    PROVIDER_NOT_FOUND,
    /** The provider exists but cannot run here (missing library, hardware, or excluded). */
    PROVIDER_UNAVAILABLE,
    /** Memory, file or device allocation failed. */
    ALLOCATION_FAILED,
    /** A copy between tiers failed; its target block must not be registered. */
    TRANSFER_FAILED,
    /** A native call (FFM downcall, driver API) failed; the cause chain keeps the native error. */
    NATIVE_FAILURE,
    /** A message on the wire is malformed or unexpected. */
    PROTOCOL_ERROR,
    /** A bounded wait ran out. */
    TIMEOUT,
    /** Stored bytes fail their checksum. */
    INTEGRITY_FAILURE,
    /** A pool cannot hand out as many blocks as asked. */
    NOT_ENOUGH_BLOCKS,
    /** An operation does not fit the object's current state. */
    INVALID_STATE,
    /** Reading or writing a file or socket failed. */
    IO_ERROR
}
