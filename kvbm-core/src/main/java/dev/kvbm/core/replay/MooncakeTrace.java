package dev.kvbm.core.replay;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads Mooncake-format traces: one JSON object a line with {@code timestamp}, {@code input_length},
 * {@code output_length} and {@code hash_ids} (other keys are ignored). A malformed line fails with its
 * line number and what is wrong. Read with Jackson's streaming parser, one line at a time.
 */
public final class MooncakeTrace {
    private static final JsonFactory JSON = new JsonFactory();
    private static final Set<String> NUMBERS = Set.of("timestamp", "input_length", "output_length", "hash_ids");
    private static final Pattern UNRECOGNIZED = Pattern.compile("^Unrecognized token '([^']*)'");

    private MooncakeTrace() {
    }

    /** Reads at most {@code limit} requests (all when {@code limit <= 0}). */
    public static List<TraceRequest> read(Path file, int limit) {
        return read(file, limit, MAX_LINE_CHARS);
    }

    /** The longest line read, in bytes: far beyond any request's (a million block ids is ~8 MB). */
    public static final int MAX_LINE_CHARS = 64 << 20;

    static List<TraceRequest> read(Path file, int limit, int maxLineChars) {
        if (!Files.exists(file)) {
            throw KvbmException.forField(ErrorCode.INVALID_ARGUMENT, "trace", "no such file: " + file);
        }
        if (Files.isDirectory(file)) {
            throw KvbmException.forField(ErrorCode.INVALID_ARGUMENT, "trace", file + " is a directory, not a trace file");
        }
        List<TraceRequest> requests = new ArrayList<>();
        // Lines are split as bytes and decoded one by one, so a decoding error names its own line (a reader
        // decoding ahead would blame an earlier one) and an overlong line is refused before it is held.
        java.nio.charset.CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
        int number = 0;
        try (java.io.InputStream in = new java.io.BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
            boolean more = true;
            while (more && (limit <= 0 || requests.size() < limit)) {
                number++;
                line.reset();
                more = readLine(in, line, maxLineChars, file + ":" + number);
                if (line.size() == 0 && !more) {
                    break;
                }
                String text;
                try {
                    text = utf8.decode(java.nio.ByteBuffer.wrap(line.toByteArray())).toString();
                } catch (java.nio.charset.CharacterCodingException e) {
                    throw KvbmException.forField(ErrorCode.INVALID_ARGUMENT, "trace", file + ":" + number
                            + ": not valid UTF-8");
                }
                if (text.isBlank()) {
                    continue;
                }
                requests.add(parse(text, file + ":" + number));
            }
        } catch (IOException e) {
            throw new KvbmException(ErrorCode.IO_ERROR, "cannot read trace " + file + ": " + e.getMessage(), e);
        }
        if (requests.isEmpty()) {
            throw new KvbmException(ErrorCode.INVALID_ARGUMENT, "trace " + file + " holds no requests");
        }
        return requests;
    }

    /**
     * Reads one line's bytes (without its terminator) into {@code into}, refusing one longer than {@code max}
     * bytes before it is held in memory; returns false at the end of the input.
     */
    private static boolean readLine(java.io.InputStream in, java.io.ByteArrayOutputStream into, int max, String where)
            throws IOException {
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                return true;
            }
            if (c != '\r') {
                if (into.size() == max) {
                    throw KvbmException.forField(ErrorCode.INVALID_ARGUMENT, "trace", where + ": a line longer than "
                            + max + " bytes (no trace request is that long)");
                }
                into.write(c);
            }
        }
        return false;
    }

    /** Parses one line; {@code where} names it in errors. */
    static TraceRequest parse(String line, String where) {
        JsonParser p = null;
        try {
            p = JSON.createParser(line);
            return parse(p, where);
        } catch (JsonProcessingException e) {
            throw malformed(e, p, where);
        } catch (IOException e) {
            throw new KvbmException(ErrorCode.IO_ERROR, where + ": " + e.getMessage(), e); // a String source: never
        } finally {
            if (p != null) {
                try {
                    p.close();
                } catch (IOException ignored) {
                    // a String source holds nothing to release
                }
            }
        }
    }

    private static TraceRequest parse(JsonParser p, String where) throws IOException {
        long timestamp = -1;
        long input = -1;
        long output = -1;
        long[] ids = null;
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw error(where, "expected '{' at column " + column(p));
        }
        while (next(p, where) == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            JsonToken value = next(p, where);
            switch (key) {
                case "timestamp" -> timestamp = nonNegative(p, key, where);
                case "input_length" -> input = nonNegative(p, key, where);
                case "output_length" -> output = nonNegative(p, key, where);
                case "hash_ids" -> ids = longArray(p, value, key, where);
                default -> p.skipChildren();
            }
        }
        if (p.nextToken() != null) {
            throw error(where, "unexpected text after the object at column " + column(p));
        }
        if (ids == null) {
            throw error(where, "missing \"hash_ids\"");
        }
        return new TraceRequest(Math.max(timestamp, 0), Math.max(input, 0), Math.max(output, 0), ids);
    }

    /**
     * The next token; a word Jackson cannot read as the value of a numeric field (Jackson reads a field's value
     * ahead with its name) is reported as that field's bad value.
     */
    private static JsonToken next(JsonParser p, String where) throws IOException {
        try {
            return p.nextToken();
        } catch (JsonParseException e) {
            Matcher token = UNRECOGNIZED.matcher(e.getOriginalMessage());
            String key = p.getParsingContext().getCurrentName();
            if (key == null && p.getParsingContext().inArray() && p.getParsingContext().getParent() != null) {
                key = p.getParsingContext().getParent().getCurrentName();
            }
            if (key != null && NUMBERS.contains(key) && token.find()) {
                throw error(where, "\"" + key + "\" must be an integer (got '" + token.group(1) + "')");
            }
            throw e;
        }
    }

    private static long number(JsonParser p, String key, String where) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NUMBER_INT) {
            try {
                return p.getLongValue();
            } catch (InputCoercionException e) {
                throw error(where, "\"" + key + "\" must be an integer (got '" + p.getText() + "')");
            }
        }
        if (t == JsonToken.VALUE_NUMBER_FLOAT) {
            double d = p.getDoubleValue();
            if (d == Math.rint(d) && Math.abs(d) < 9.0e15) {
                return (long) d;
            }
        }
        String text = t == JsonToken.VALUE_STRING ? "\"" + p.getText() + "\"" : p.getText();
        throw error(where, "\"" + key + "\" must be an integer (got '" + text + "')");
    }

    private static long nonNegative(JsonParser p, String key, String where) throws IOException {
        long v = number(p, key, where);
        if (v < 0) {
            throw error(where, "\"" + key + "\" must be >= 0 (got " + v + ")");
        }
        return v;
    }

    private static long[] longArray(JsonParser p, JsonToken start, String key, String where) throws IOException {
        if (start != JsonToken.START_ARRAY) {
            throw error(where, "\"" + key + "\" must be an array of integers (got '" + p.getText() + "')");
        }
        long[] out = new long[16];
        int n = 0;
        while (next(p, where) != JsonToken.END_ARRAY) {
            if (n == out.length) {
                out = Arrays.copyOf(out, n * 2);
            }
            out[n++] = nonNegative(p, key, where);
        }
        return Arrays.copyOf(out, n);
    }

    private static int column(JsonParser p) {
        return p.currentTokenLocation().getColumnNr();
    }

    private static KvbmException error(String where, String what) {
        return KvbmException.forField(ErrorCode.INVALID_ARGUMENT, "trace", where + ": " + what);
    }

    /** Jackson's syntax error as {@code file:line: <what> at column N}; an unclosed object or array names its bracket. */
    private static KvbmException malformed(JsonProcessingException e, JsonParser p, String where) {
        int column = e.getLocation() == null ? 0 : e.getLocation().getColumnNr();
        if (e instanceof JsonEOFException && p != null && p.getParsingContext().inObject()) {
            return error(where, "expected '}' at column " + column);
        }
        if (e instanceof JsonEOFException && p != null && p.getParsingContext().inArray()) {
            return error(where, "expected ']' at column " + column);
        }
        String what = e.getOriginalMessage();
        int cut = what.indexOf(" (start marker at");
        return error(where, (cut > 0 ? what.substring(0, cut) : what) + " at column " + column);
    }
}
