package dev.kvbm.api.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EnvironmentVariablesTest {
    static final String KEY = ConfigKeys.DISK_CACHE_GB;

    static EnvironmentVariables env(String value) {
        return EnvironmentVariables.of(Map.of(KEY, value));
    }

    @Test
    void unsetOrBlankIsAbsent() {
        EnvironmentVariables none = EnvironmentVariables.of(Map.of());
        assertEquals(OptionalDouble.empty(), none.gigabytes(KEY));
        assertEquals(OptionalDouble.empty(), env("  ").gigabytes(KEY));
        assertEquals(Optional.empty(), env("").bool(KEY));
        assertEquals(OptionalInt.empty(), none.port(KEY));
    }

    @Test
    void valuesParseTrimmed() {
        assertEquals(OptionalDouble.of(1.5), env(" 1.5 ").gigabytes(KEY));
        assertEquals(OptionalInt.of(77), env("77").blockCount(KEY));
        assertEquals(OptionalInt.of(0), env("0").blockCount(KEY));
        assertEquals(OptionalInt.of(6000), env("6000").port(KEY));
        assertEquals(Optional.of(true), env("1").bool(KEY));
        assertEquals(Optional.of(false), env("false").bool(KEY));
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "-1", "NaN", "Infinity", "1e999"})
    void garbageGigabytesNameTheVariable(String value) {
        KvbmException e = assertThrows(KvbmException.class, () -> env(value).gigabytes(KEY));
        assertEquals(ErrorCode.INVALID_CONFIG, e.code());
        assertEquals(Optional.of(KEY), e.field());
        assertEquals(KEY + " must be a number of decimal GB >= 0 (got '" + value + "')", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"maybe", "yes", "TRUE", "2"})
    void booleansAreExactlyTrueFalseOneOrZero(String value) {
        KvbmException e = assertThrows(KvbmException.class, () -> env(value).bool(KEY));
        assertEquals(KEY + " must be true, false, 1 or 0 (got '" + value + "')", e.getMessage());
    }

    @Test
    void countsAndPortsHaveTheirRanges() {
        assertEquals(KEY + " must be an integer in 0..2147483647 (got '-1')",
                assertThrows(KvbmException.class, () -> env("-1").blockCount(KEY)).getMessage());
        assertEquals(KEY + " must be an integer in 0..2147483647 (got '2147483648')",
                assertThrows(KvbmException.class, () -> env("2147483648").blockCount(KEY)).getMessage());
        assertEquals(KEY + " must be an integer in 1..65535 (got '0')",
                assertThrows(KvbmException.class, () -> env("0").port(KEY)).getMessage());
        assertEquals(KEY + " must be an integer in 1..65535 (got 'x')",
                assertThrows(KvbmException.class, () -> env("x").port(KEY)).getMessage());
    }
}
