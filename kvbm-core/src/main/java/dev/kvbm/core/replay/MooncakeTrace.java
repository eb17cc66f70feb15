package dev.kvbm.core.replay;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads Mooncake-format traces: one JSON object a line with {@code timestamp}, {@code input_length},
 * {@code output_length} and {@code hash_ids} (other keys are ignored). A malformed line fails with its
 * line number and what is wrong.
 */
public final class MooncakeTrace {
    private MooncakeTrace() {
    }

    /** Reads at most {@code limit} requests (all when {@code limit <= 0}). */
    public static List<TraceRequest> read(Path file, int limit) {
        List<TraceRequest> requests = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = in.readLine()) != null && (limit <= 0 || requests.size() < limit)) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                requests.add(parse(line, file + ":" + number));
            }
        } catch (IOException e) {
            throw new KvbmException(ErrorCode.IO_ERROR, "cannot read trace " + file + ": " + e.getMessage(), e);
        }
        if (requests.isEmpty()) {
            throw new KvbmException(ErrorCode.INVALID_ARGUMENT, "trace " + file + " holds no requests");
        }
        return requests;
    }

    /** Parses one line; {@code where} names it in errors. */
    static TraceRequest parse(String line, String where) {
        Parser p = new Parser(line, where);
        long timestamp = -1;
        long input = -1;
        long output = -1;
        long[] ids = null;
        p.expect('{');
        if (!p.peek('}')) {
            do {
                String key = p.string();
                p.expect(':');
                switch (key) {
                    case "timestamp" -> timestamp = p.nonNegative(key);
                    case "input_length" -> input = p.nonNegative(key);
                    case "output_length" -> output = p.nonNegative(key);
                    case "hash_ids" -> ids = p.longArray(key);
                    default -> p.skipValue();
                }
            } while (p.comma());
        }
        p.expect('}');
        p.end();
        if (ids == null) {
            throw p.error("missing \"hash_ids\"");
        }
        return new TraceRequest(Math.max(timestamp, 0), Math.max(input, 0), Math.max(output, 0), ids);
    }

    /** A minimal strict JSON reader for one trace line. */
    private static final class Parser {
        private final String s;
        private final String where;
        private int i;

        Parser(String s, String where) {
            this.s = s;
            this.where = where;
        }

        KvbmException error(String what) {
            return KvbmException.forField(ErrorCode.INVALID_ARGUMENT, "trace", where + ": " + what);
        }

        void ws() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        boolean peek(char c) {
            ws();
            return i < s.length() && s.charAt(i) == c;
        }

        void expect(char c) {
            ws();
            if (i >= s.length() || s.charAt(i) != c) {
                throw error("expected '" + c + "' at column " + (i + 1));
            }
            i++;
        }

        boolean comma() {
            if (peek(',')) {
                i++;
                return true;
            }
            return false;
        }

        void end() {
            ws();
            if (i != s.length()) {
                throw error("unexpected text after the object at column " + (i + 1));
            }
        }

        String string() {
            expect('"');
            int start = i;
            while (i < s.length() && s.charAt(i) != '"') {
                if (s.charAt(i) == '\\') {
                    i++;
                }
                i++;
            }
            if (i >= s.length()) {
                throw error("unterminated string");
            }
            return s.substring(start, i++);
        }

        long number(String key) {
            ws();
            int start = i;
            while (i < s.length() && ",]} \t".indexOf(s.charAt(i)) < 0) {
                i++;
            }
            String text = s.substring(start, i);
            try {
                return Long.parseLong(text);
            } catch (NumberFormatException e) {
                try {
                    double d = Double.parseDouble(text);
                    if (d == Math.rint(d) && Math.abs(d) < 9.0e15) {
                        return (long) d;
                    }
                } catch (NumberFormatException ignored) {
                    // reported below
                }
                throw error("\"" + key + "\" must be an integer (got '" + text + "')");
            }
        }

        long nonNegative(String key) {
            long v = number(key);
            if (v < 0) {
                throw error("\"" + key + "\" must be >= 0 (got " + v + ")");
            }
            return v;
        }

        long[] longArray(String key) {
            expect('[');
            long[] out = new long[16];
            int n = 0;
            if (!peek(']')) {
                do {
                    if (n == out.length) {
                        out = Arrays.copyOf(out, n * 2);
                    }
                    out[n++] = nonNegative(key);
                } while (comma());
            }
            expect(']');
            return Arrays.copyOf(out, n);
        }

        void skipValue() {
            ws();
            if (peek('"')) {
                string();
            } else if (peek('[') || peek('{')) {
                int depth = 0;
                do {
                    char c = s.charAt(i++);
                    if (c == '[' || c == '{') {
                        depth++;
                    } else if (c == ']' || c == '}') {
                        depth--;
                    } else if (c == '"') {
                        i--;
                        string();
                    }
                } while (depth > 0 && i < s.length());
            } else {
                while (i < s.length() && ",}".indexOf(s.charAt(i)) < 0) {
                    i++;
                }
            }
        }
    }
}
