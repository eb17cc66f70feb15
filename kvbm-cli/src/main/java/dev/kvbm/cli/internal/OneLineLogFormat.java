package dev.kvbm.cli.internal;

import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * The CLI's log lines: {@code kvbm: WARNING DiskAllocator: the file system of /x refuses fallocate; ...}, one line per
 * record (java.util.logging's default takes two, the first a date and a method name), the cause appended on the same
 * line; its stack trace only with {@code --debug}.
 */
final class OneLineLogFormat extends Formatter {
    private final boolean stackTraces;

    OneLineLogFormat(boolean stackTraces) {
        this.stackTraces = stackTraces;
    }

    @Override
    public String format(LogRecord record) {
        String logger = record.getLoggerName() == null ? "" : record.getLoggerName();
        StringBuilder line = new StringBuilder("kvbm: ").append(record.getLevel().getName()).append(' ')
                .append(logger.substring(logger.lastIndexOf('.') + 1)).append(": ")
                .append(oneLine(formatMessage(record)));
        Throwable t = record.getThrown();
        if (t != null) {
            line.append(" (").append(oneLine(String.valueOf(t))).append(')');
        }
        line.append(System.lineSeparator());
        if (t != null && stackTraces) {
            java.io.StringWriter trace = new java.io.StringWriter();
            t.printStackTrace(new java.io.PrintWriter(trace));
            line.append(trace);
        }
        return line.toString();
    }

    private static String oneLine(String text) {
        return text == null ? "" : text.strip().replaceAll("\\s*\\R\\s*", " | ");
    }
}
