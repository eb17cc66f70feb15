package dev.kvbm.cli.internal;

import java.lang.reflect.Field;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.TypeConversionException;

/**
 * The rules of option values, each error one line naming the option and the rule: picocli converters (they name
 * the rule; the option is added by {@link Cli}) and range checks run before anything is bound or allocated.
 */
final class OptionChecks {
    private OptionChecks() {
    }

    /** An integer option's value: any 32-bit integer (the range is the option's {@link Range}). */
    static Integer integer(String text) {
        long v;
        try {
            v = Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            if (text.trim().matches("[+-]?[0-9]+")) {
                throw new OutOfRange(text.trim()); // beyond even 64 bits: still a number, so the range is the answer
            }
            throw new TypeConversionException("must be an integer (got '" + text + "')");
        }
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new OutOfRange(Long.toString(v));
        }
        return (int) v;
    }

    /** A number that no int holds; {@link Cli} answers with the option's range. */
    static final class OutOfRange extends TypeConversionException {
        private static final long serialVersionUID = 1L;
        final String value;

        OutOfRange(String value) {
            super("must be " + (value.startsWith("-") ? "at least " + Integer.MIN_VALUE : "at most " + Integer.MAX_VALUE)
                    + " (got " + value + ")");
            this.value = value;
        }
    }

    /** The range an option declares with {@link Range}, or null. */
    static Range declaredRange(OptionSpec option) {
        return option.userObject() instanceof Field f ? f.getAnnotation(Range.class) : null;
    }

    /** The one wording of a range error. */
    static String outOfRange(String option, long min, long max, String value) {
        return option + " must be in " + min + ".." + max + " (got " + value + ")";
    }

    /** Every option given on the command line of the command that runs, against its {@link Range}. */
    static void checkRanges(ParseResult parsed) {
        ParseResult leaf = parsed;
        while (leaf.subcommand() != null) {
            leaf = leaf.subcommand();
        }
        for (OptionSpec o : leaf.matchedOptions()) {
            Range r = declaredRange(o);
            if (r != null && o.getValue() instanceof Number n && (n.longValue() < r.min() || n.longValue() > r.max())) {
                throw new ParameterException(leaf.commandSpec().commandLine(),
                        outOfRange(o.longestName(), r.min(), r.max(), n.toString()), o, n.toString());
            }
        }
    }

    static Long longInteger(String text) {
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            if (text.trim().matches("[+-]?[0-9]+")) {
                throw new TypeConversionException(outOfRange("", Long.MIN_VALUE, Long.MAX_VALUE, text.trim()).strip());
            }
            throw new TypeConversionException("must be an integer (got '" + text + "')");
        }
    }

    /** {@code --gX-gb}: decimal GB, finite and >= 0. */
    static final class Gigabytes implements ITypeConverter<Double> {
        @Override
        public Double convert(String text) {
            double v;
            try {
                v = Double.parseDouble(text.trim());
            } catch (NumberFormatException e) {
                throw new TypeConversionException("must be a number of decimal GB >= 0 (got '" + text + "')");
            }
            if (!(v >= 0) || Double.isInfinite(v)) {
                throw new TypeConversionException("must be a number of decimal GB >= 0 (got '" + text + "')");
            }
            return v;
        }
    }

    /** {@code value} when it is in {@code min..max}; else a usage error naming {@code option}. */
    static int range(String option, int value, int min, int max) {
        if (value < min || value > max) {
            throw new UsageException(outOfRange(option, min, max, Integer.toString(value)));
        }
        return value;
    }

    /** A required integer option in {@code min..max}. */
    static int required(String option, Integer value, int min, int max) {
        if (value == null) {
            String rule = min == Integer.MIN_VALUE && max == Integer.MAX_VALUE ? "an integer"
                    : max == Integer.MAX_VALUE ? "an integer >= " + min : "an integer in " + min + ".." + max;
            throw new UsageException(option + " is required (" + rule + ")");
        }
        return range(option, value, min, max);
    }

    /** A required integer option whose range the configuration record checks. */
    static int required(String option, Integer value) {
        return required(option, value, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    /** A required text option. */
    static String required(String option, String value) {
        if (value == null) {
            throw new UsageException(option + " is required");
        }
        return value;
    }

    /** An optional integer option in {@code min..max}, or {@code fallback}. */
    static int orDefault(String option, Integer value, int fallback, int min, int max) {
        return value == null ? fallback : range(option, value, min, max);
    }

    /**
     * A ZeroMQ TCP endpoint {@code tcp://HOST:PORT}: HOST a name, an IPv4 address or a bracketed IPv6 one
     * ({@code *} to bind every interface where {@code mayBindAny}), PORT 1..65535 ({@code *} for any free one where
     * {@code mayBindAny}). Returns it unchanged.
     */
    static String endpoint(String option, String text, boolean mayBindAny) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("tcp://(\\[[0-9A-Fa-f:.]+\\]|[^:/\\[\\]]+):([^:/]+)")
                .matcher(text);
        if (!m.matches()) {
            throw new UsageException(option + " must be tcp://HOST:PORT (got '" + text + "')");
        }
        String host = m.group(1);
        String port = m.group(2);
        boolean anyHost = host.equals("*");
        if (anyHost && !mayBindAny || !anyHost && !host.startsWith("[")
                && !host.matches("[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*")) {
            throw new UsageException(option + ": '" + host + "' is not a valid host (a name, an IPv4 address or [IPv6])");
        }
        if (!(port.equals("*") && mayBindAny)) {
            int n;
            try {
                n = Integer.parseInt(port);
            } catch (NumberFormatException e) {
                throw new UsageException(option + ": the port must be a number in 1..65535 (got '" + port + "')");
            }
            if (n < 1 || n > 65_535) {
                throw new UsageException(option + ": the port must be in 1..65535 (got " + n + ")");
            }
        }
        return text;
    }
}
