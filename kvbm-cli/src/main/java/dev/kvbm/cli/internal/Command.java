package dev.kvbm.cli.internal;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/** One {@code kvbm} sub-command. */
public interface Command {

    String name();

    /** One line for {@code kvbm --help}. */
    String summary();

    /** The usage line after {@code kvbm <name>}. */
    String usage();

    List<Args.Spec> options();

    /** Which option sets each config field, so a validation error can name what the user typed. */
    default Map<String, String> fieldOptions() {
        return Map.of();
    }

    /** Runs the command; returns the exit status. Usage errors are thrown as {@link UsageException}. */
    int run(Args args, PrintStream out);
}
