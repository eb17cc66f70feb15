package dev.kvbm.cli.internal;

import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * One {@code kvbm} sub-command: picocli binds its options, {@link #call()} runs it and returns the exit status.
 * Usage errors are thrown as {@link UsageException}; bad values the configuration records refuse come as
 * {@code KvbmException}s naming a field, which {@link #fieldOptions()} maps back to the option the user typed.
 */
@Command(mixinStandardHelpOptions = true, versionProvider = Cli.Version.class, synopsisHeading = "usage: ",
        descriptionHeading = "%n", optionListHeading = "%noptions:%n", showDefaultValues = true, sortOptions = false,
        usageHelpWidth = 110, exitCodeListHeading = "%nexit status:%n", exitCodeList = {
            "0:ok", "1:failed while running", "2:bad command line or environment variable (one line naming it)",
            "3:regression against the baseline (kvbm bench)",
            "4:a worker died or failed transfers during kvbm replay --workers (the report is incomplete)"},
        footerHeading = "%n")
abstract class Subcommand implements Callable<Integer> {
    /** Listed in every command's help; {@link Cli} takes it off the command line before parsing, wherever it is. */
    static final class DebugOption {
        @Option(names = "--debug", arity = "0", description = "print the stack trace of an error (anywhere on the command line)")
        boolean debug;
    }

    @Mixin
    DebugOption debugOption;

    PrintStream out = System.out;
    PrintStream err = System.err;

    /** Which option sets each config field, so a validation error can name what the user typed. */
    Map<String, String> fieldOptions() {
        return Map.of();
    }

    Subcommand streams(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
        return this;
    }
}
