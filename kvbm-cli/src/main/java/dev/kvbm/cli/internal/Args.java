package dev.kvbm.cli.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The options of one command, parsed from {@code --name value}, {@code --name=value} and {@code --flag}.
 * Every accessor validates and names the option in its error.
 */
public final class Args {

    /** One option a command accepts. */
    public record Spec(String name, String valueName, String help) {
        public boolean takesValue() {
            return valueName != null;
        }

        public static Spec flag(String name, String help) {
            return new Spec(name, null, help);
        }

        public static Spec value(String name, String valueName, String help) {
            return new Spec(name, valueName, help);
        }
    }

    private final Map<String, String> values = new LinkedHashMap<>();

    private Args() {
    }

    /** Parses {@code argv} against {@code specs}; an unknown option or a missing value is a usage error. */
    public static Args parse(List<String> argv, List<Spec> specs) {
        Map<String, Spec> byName = specs.stream().collect(Collectors.toMap(Spec::name, s -> s));
        Args args = new Args();
        for (int i = 0; i < argv.size(); i++) {
            String token = argv.get(i);
            if (!token.startsWith("--")) {
                throw new UsageException("unexpected argument '" + token + "' (options start with --)");
            }
            String name = token;
            String inline = null;
            int eq = token.indexOf('=');
            if (eq > 0) {
                name = token.substring(0, eq);
                inline = token.substring(eq + 1);
            }
            Spec spec = byName.get(name);
            if (spec == null) {
                throw new UsageException("unknown option " + name + " (known: "
                        + specs.stream().map(Spec::name).collect(Collectors.joining(" ")) + ")");
            }
            if (args.values.containsKey(name)) {
                throw new UsageException(name + " is given more than once");
            }
            if (spec.takesValue()) {
                if (inline == null) {
                    if (i + 1 >= argv.size()) {
                        throw new UsageException(name + " needs a value (" + spec.valueName() + ")");
                    }
                    inline = argv.get(++i);
                }
                args.values.put(name, inline);
            } else {
                if (inline != null) {
                    throw new UsageException(name + " takes no value");
                }
                args.values.put(name, "true");
            }
        }
        return args;
    }

    public boolean flag(String name) {
        return values.containsKey(name);
    }

    public Optional<String> string(String name) {
        return Optional.ofNullable(values.get(name));
    }

    public String required(String name) {
        return string(name).orElseThrow(() -> new UsageException(name + " is required"));
    }

    /** An integer in {@code [min, max]}; required when {@code fallback} is null. */
    public int integer(String name, Integer fallback, int min, int max) {
        Optional<String> text = string(name);
        if (text.isEmpty()) {
            if (fallback == null) {
                throw new UsageException(name + " is required (" + describe(min, max) + ")");
            }
            return fallback;
        }
        return parseInt(name, text.get(), min, max);
    }

    /** An integer option without a range of its own: the config it feeds checks the range and names the rule. */
    public int integer(String name, Integer fallback) {
        return integer(name, fallback, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    public static int parseInt(String name, String text, int min, int max) {
        long value;
        try {
            value = Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new UsageException(name + " must be " + describe(min, max) + " (got '" + text + "')");
        }
        if (value < min || value > max) {
            String rule = min == Integer.MIN_VALUE && max == Integer.MAX_VALUE
                    ? "a 32-bit integer" : describe(min, max).replace("an integer ", "");
            throw new UsageException(name + " must be " + rule + " (got " + value + ")");
        }
        return (int) value;
    }

    private static String describe(int min, int max) {
        if (min == Integer.MIN_VALUE && max == Integer.MAX_VALUE) {
            return "an integer";
        }
        return max == Integer.MAX_VALUE ? "an integer >= " + min : "an integer in " + min + ".." + max;
    }
}
