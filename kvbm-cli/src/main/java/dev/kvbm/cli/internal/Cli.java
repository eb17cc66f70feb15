package dev.kvbm.cli.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Dispatches {@code kvbm <command> [options]}. Exit status: 0 success, 1 failure while running, 2 bad
 * command line (one line naming the option and the rule; a stack trace only with {@code --debug}).
 */
public final class Cli {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;

    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, Command> commands = new LinkedHashMap<>();

    public Cli(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
        for (Command c : List.of(new ReplayCommand(), new LayoutCommand(), new HashCommand(), new TiersCommand(),
                new BenchCommand(), new LeaderCommand(), new WorkerCommand())) {
            commands.put(c.name(), c);
        }
    }

    public int run(String[] argv) {
        List<String> args = new ArrayList<>(Arrays.asList(argv));
        boolean debug = args.remove("--debug");
        quietLibraries(debug);
        if (args.isEmpty() || args.getFirst().equals("--help") || args.getFirst().equals("-h")
                || args.getFirst().equals("help")) {
            if (args.size() > 1 && commands.containsKey(args.get(1))) {
                printHelp(commands.get(args.get(1)), out);
                return OK;
            }
            printOverview(args.isEmpty() ? err : out);
            return args.isEmpty() ? USAGE : OK;
        }
        Command command = commands.get(args.getFirst());
        if (command == null) {
            err.println("kvbm: unknown command '" + args.getFirst() + "' (commands: "
                    + String.join(", ", commands.keySet()) + "; see kvbm --help)");
            return USAGE;
        }
        List<String> rest = args.subList(1, args.size());
        if (rest.contains("--help") || rest.contains("-h")) {
            printHelp(command, out);
            return OK;
        }
        try {
            Args parsed = Args.parse(rest, command.options());
            return command.run(parsed, out);
        } catch (UsageException e) {
            err.println("kvbm " + command.name() + ": " + e.getMessage());
            trace(debug, e);
            return USAGE;
        } catch (KvbmException e) {
            String option = e.field().map(f -> command.fieldOptions().get(f)).orElse(null);
            boolean badInput = e.code() == ErrorCode.INVALID_CONFIG || e.code() == ErrorCode.INVALID_ARGUMENT
                    || e.code() == ErrorCode.SIZE_OVERFLOW;
            err.println("kvbm " + command.name() + ": " + (option != null ? option + ": " : "") + e.getMessage());
            trace(debug, e);
            return badInput ? USAGE : FAILED;
        } catch (RuntimeException | LinkageError e) {
            err.println("kvbm " + command.name() + ": failed: " + e + (debug ? "" : " (run with --debug for the stack trace)"));
            trace(debug, e);
            return FAILED;
        }
    }

    /**
     * The CLI picks the logging backend: java.util.logging, at WARNING so a report is not interleaved with
     * progress notes (its own lines say what they mean); {@code --debug} shows INFO as well.
     */
    private static void quietLibraries(boolean debug) {
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        java.util.logging.Level level = debug ? java.util.logging.Level.INFO : java.util.logging.Level.WARNING;
        root.setLevel(level);
        for (java.util.logging.Handler h : root.getHandlers()) {
            h.setLevel(level);
        }
    }

    private void trace(boolean debug, Throwable t) {
        if (debug) {
            t.printStackTrace(err);
        }
    }

    private void printOverview(PrintStream to) {
        to.println("usage: kvbm <command> [options]   (kvbm <command> --help for its options; --debug for stack traces)");
        to.println();
        to.println("commands:");
        for (Command c : commands.values()) {
            to.printf("  %-8s %s%n", c.name(), c.summary());
        }
    }

    static void printHelp(Command c, PrintStream to) {
        to.println("usage: kvbm " + c.name() + " " + c.usage());
        to.println();
        to.println(c.summary());
        to.println();
        to.println("options:");
        for (Args.Spec s : c.options()) {
            String left = s.name() + (s.takesValue() ? " " + s.valueName() : "");
            to.printf("  %-24s %s%n", left, s.help());
        }
        to.printf("  %-24s %s%n", "--help", "show this help");
        to.printf("  %-24s %s%n", "--debug", "print stack traces of errors");
    }
}
