package dev.kvbm.cli;

import dev.kvbm.cli.internal.Cli;

/** Entry point of the {@code kvbm} command. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        int code = new Cli(System.out, System.err).run(args);
        System.out.flush();
        System.exit(code);
    }
}
