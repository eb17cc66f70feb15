package dev.kvbm.api;

import java.util.Objects;
import java.util.Optional;

/**
 * The one unchecked exception of kvbm. It carries an {@link ErrorCode} and, for configuration and
 * argument errors, the name of the offending field, so a front end (the CLI, a connector) can point
 * at the option the user typed. Native and I/O failures keep their cause.
 */
public class KvbmException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final String field;

    public KvbmException(ErrorCode code, String message) {
        this(code, null, message, null);
    }

    public KvbmException(ErrorCode code, String message, Throwable cause) {
        this(code, null, message, cause);
    }

    private KvbmException(ErrorCode code, String field, String message, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
        this.field = field;
    }

    /** An error about one named field (a config key, a call parameter). */
    public static KvbmException forField(ErrorCode code, String field, String message) {
        return new KvbmException(code, Objects.requireNonNull(field, "field"), message, null);
    }

    /** {@code field must be <rule> (got <value>)}, the shape of every validation message. */
    public static KvbmException invalid(String field, Object value, String rule) {
        return forField(ErrorCode.INVALID_CONFIG, field, field + " must be " + rule + " (got " + value + ")");
    }

    public ErrorCode code() {
        return code;
    }

    /** The field the error is about, when it is about one. */
    public Optional<String> field() {
        return Optional.ofNullable(field);
    }
}
