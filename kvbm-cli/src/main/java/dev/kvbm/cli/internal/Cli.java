package dev.kvbm.cli.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.MutuallyExclusiveArgsException;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Dispatches {@code kvbm <command> [options]} through picocli. Exit status: 0 success, 1 failure while running,
 * 2 bad command line or environment variable (one line naming the option or variable and the rule; a stack
 * trace only with {@code --debug}), 3 a benchmark regression, 4 a replay that lost a worker.
 */
public final class Cli {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;
    public static final int REGRESSED = 3;
    /** {@code kvbm replay --workers}: a worker process died or its transfers failed; the figures are incomplete. */
    public static final int WORKER_LOST = 4;
    private static final Pattern OPTION_NAME = Pattern.compile("--[a-z0-9][a-z0-9-]*");
    // picocli's words for "--flag=value" on a flag (it names the option only in its message)
    private static final Pattern FLAG_WITH_VALUE = Pattern.compile("option '(--[a-z0-9-]+)' should be specified without");

    private final PrintStream out;
    private final PrintStream err;

    public Cli(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** The root {@code kvbm}: without a command it prints the overview on stderr (exit 2). */
    @Command(name = "kvbm", mixinStandardHelpOptions = true, versionProvider = Version.class,
            synopsisHeading = "usage: ", customSynopsis = "kvbm <command> [options]   (kvbm <command> --help for its "
                    + "options; --debug for stack traces)", commandListHeading = "%ncommands:%n",
            exitCodeListHeading = "%nexit status:%n", exitCodeList = {"0:ok", "1:failed while running",
                "2:bad command line or environment variable (one line naming it)",
                "3:regression against the baseline (kvbm bench)",
                "4:a worker died or failed transfers during kvbm replay --workers (the report is incomplete)"}, usageHelpWidth = 110)
    static final class Root implements Callable<Integer> {
        private final CommandLine[] self = new CommandLine[1];
        private final PrintStream err;

        Root(PrintStream err) {
            this.err = err;
        }

        @Override
        public Integer call() {
            self[0].usage(err);
            return USAGE;
        }
    }

    /** {@code --version}: the version of the {@code dev.kvbm.cli} module (the build's project version). */
    public static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            Module m = Cli.class.getModule();
            String v = m.getDescriptor() != null ? m.getDescriptor().rawVersion().orElse(null) : null;
            if (v == null) {
                v = Cli.class.getPackage().getImplementationVersion();
            }
            return new String[] {"kvbm " + (v == null ? "(version unknown: not run from a packaged module)" : v),
                "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")"};
        }
    }

    public int run(String[] argv) {
        List<String> args = new ArrayList<>(Arrays.asList(argv));
        boolean debug = args.remove("--debug");
        quietLibraries(debug);
        CommandLine cli = commandLine();
        if (!args.isEmpty() && args.getFirst().equals("help")) {
            // "kvbm help [command]", as before picocli
            CommandLine target = args.size() > 1 ? cli.getSubcommands().get(args.get(1)) : null;
            (target != null ? target : cli).usage(out);
            return OK;
        }
        cli.setParameterExceptionHandler((e, a) -> {
            err.println(prefix(e.getCommandLine()) + usageLine(e));
            trace(debug, e);
            return USAGE;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parsed) -> failure(e, commandLine, debug));
        cli.setExecutionStrategy(parsed -> {
            OptionChecks.checkRanges(parsed); // every option's declared range, before the command runs
            return new CommandLine.RunLast().execute(parsed);
        });
        try {
            return cli.execute(args.toArray(String[]::new));
        } catch (LinkageError e) {
            err.println("kvbm: failed: " + e + (debug ? "" : " (run with --debug for the stack trace)"));
            trace(debug, e);
            return FAILED;
        }
    }

    private CommandLine commandLine() {
        Root root = new Root(err);
        CommandLine cli = new CommandLine(root);
        root.self[0] = cli;
        for (Subcommand c : List.of(new ReplayCommand(), new LayoutCommand(), new HashCommand(), new TiersCommand(),
                new BenchCommand(), new LeaderCommand(), new WorkerCommand(), new ModelCommand())) {
            cli.addSubcommand(c.streams(out, err));
        }
        // Registered after the subcommands, so every one of them gets them.
        cli.registerConverter(Integer.class, OptionChecks::integer);
        cli.registerConverter(Integer.TYPE, OptionChecks::integer);
        cli.registerConverter(Long.class, OptionChecks::longInteger);
        cli.registerConverter(Long.TYPE, OptionChecks::longInteger);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        cli.setCaseInsensitiveEnumValuesAllowed(false);
        return cli;
    }

    private static String prefix(CommandLine c) {
        return c.getParent() == null ? "kvbm: " : "kvbm " + c.getCommandName() + ": ";
    }

    /** picocli's parse errors in kvbm's words: the option and the rule, on one line. */
    private static String usageLine(ParameterException e) {
        CommandLine c = e.getCommandLine();
        if (e instanceof UnmatchedArgumentException u) {
            String token = u.getUnmatched().isEmpty() ? "" : u.getUnmatched().getFirst();
            if (c.getParent() == null) {
                if (token.startsWith("-")) {
                    return "unknown option " + token + " (see kvbm --help)";
                }
                return "unknown command '" + token + "' (commands: " + String.join(", ", c.getSubcommands().keySet())
                        + "; see kvbm --help)";
            }
            if (!token.startsWith("-")) {
                return "unexpected argument '" + token + "' (options start with --)";
            }
            String name = token.contains("=") ? token.substring(0, token.indexOf('=')) : token;
            return "unknown option " + name + " (known: " + knownOptions(c) + ")";
        }
        if (e instanceof CommandLine.MissingParameterException m && !m.getMissing().isEmpty()
                && m.getMissing().getFirst() instanceof OptionSpec o) {
            return o.longestName() + " needs a value (" + o.paramLabel() + ")";
        }
        Matcher flag = FLAG_WITH_VALUE.matcher(e.getMessage());
        if (e instanceof CommandLine.MaxValuesExceededException && flag.find()) {
            return flag.group(1) + " takes no value";
        }
        if (e instanceof CommandLine.OverwrittenOptionException o && o.getOverwritten() instanceof OptionSpec spec) {
            return spec.longestName() + " is given more than once";
        }
        if (e instanceof MutuallyExclusiveArgsException) {
            List<String> names = new ArrayList<>();
            Matcher m = OPTION_NAME.matcher(e.getMessage());
            while (m.find()) {
                if (!names.contains(m.group())) {
                    names.add(m.group());
                }
            }
            if (names.size() >= 2) {
                return names.getFirst() + " and " + String.join(" ", names.subList(1, names.size())) + " exclude each other";
            }
        }
        if (e.getCause() instanceof TypeConversionException t && e.getArgSpec() instanceof OptionSpec o) {
            Range range = OptionChecks.declaredRange(o);
            if (t instanceof OptionChecks.OutOfRange big && range != null) {
                return OptionChecks.outOfRange(o.longestName(), range.min(), range.max(), big.value);
            }
            return o.longestName() + " " + t.getMessage();
        }
        ArgSpec arg = e.getArgSpec();
        String message = e.getMessage().replaceFirst("^Error: ", "");
        return arg instanceof OptionSpec o && !message.contains(o.longestName()) ? o.longestName() + ": " + message : message;
    }

    /** The options a command takes, in declaration order, without --help, --version and --debug. */
    private static String knownOptions(CommandLine c) {
        return c.getCommandSpec().options().stream()
                .filter(o -> !o.usageHelp() && !o.versionHelp() && !o.longestName().equals("--debug"))
                .map(OptionSpec::longestName).collect(Collectors.joining(" "));
    }

    private int failure(Exception e, CommandLine c, boolean debug) {
        String name = prefix(c);
        if (e instanceof UsageException) {
            err.println(name + e.getMessage());
            trace(debug, e);
            return USAGE;
        }
        if (e instanceof KvbmException k) {
            String option = c.getCommand() instanceof Subcommand s
                    ? k.field().map(f -> s.fieldOptions().get(f)).orElse(null) : null;
            boolean badInput = k.code() == ErrorCode.INVALID_CONFIG || k.code() == ErrorCode.INVALID_ARGUMENT
                    || k.code() == ErrorCode.SIZE_OVERFLOW;
            err.println(name + (option != null ? option + ": " : "") + k.getMessage());
            trace(debug, k);
            return badInput ? USAGE : FAILED;
        }
        err.println(name + "failed: " + e + (debug ? "" : " (run with --debug for the stack trace)"));
        trace(debug, e);
        return FAILED;
    }

    /**
     * The CLI picks the logging backend: java.util.logging, at WARNING so a report is not interleaved with
     * progress notes (its own lines say what they mean); {@code --debug} shows INFO as well. Each record is one
     * line ({@link OneLineLogFormat}).
     */
    private static void quietLibraries(boolean debug) {
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        java.util.logging.Level level = debug ? java.util.logging.Level.INFO : java.util.logging.Level.WARNING;
        root.setLevel(level);
        for (java.util.logging.Handler h : root.getHandlers()) {
            h.setLevel(level);
            h.setFormatter(new OneLineLogFormat(debug)); // one line per record, kvbm's words
        }
    }

    private void trace(boolean debug, Throwable t) {
        if (debug) {
            t.printStackTrace(err);
        }
    }
}
