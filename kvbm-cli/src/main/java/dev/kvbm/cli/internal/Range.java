package dev.kvbm.cli.internal;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The values an integer option takes, stated once beside the option: {@link Cli} checks every option given on the
 * command line against it before the command runs, and a value past the 32-bit limit is refused with the same range
 * ({@code --g2-blocks must be in 0..2147483647 (got 99999999999999)}).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
@interface Range {
    long min() default 0;

    long max() default Integer.MAX_VALUE;
}
