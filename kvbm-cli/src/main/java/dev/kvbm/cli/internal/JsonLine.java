package dev.kvbm.cli.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;

/**
 * A {@code --json} report: one JSON object on one line, written with Jackson's streaming generator. Hashes are
 * unsigned 64-bit and printed as decimal strings (Jackson would write a {@code long} signed); figures that are
 * not finite become {@code null}.
 */
final class JsonLine {
    private static final JsonFactory JSON = JsonFactory.builder().disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
            .build();

    /** What a command writes into the generator. */
    interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private JsonLine() {
    }

    /** Writes {@code body} to {@code out}, then a newline, and flushes. */
    static void print(PrintStream out, Body body) {
        try (JsonGenerator g = JSON.createGenerator(out)) {
            body.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the JSON report: " + e.getMessage(), e);
        }
        out.println();
        out.flush();
    }

    /** {@code "name": v}, or {@code null} when {@code v} is NaN or infinite. */
    static void number(JsonGenerator g, String name, double v) throws IOException {
        g.writeFieldName(name);
        if (Double.isFinite(v)) {
            g.writeNumber(v);
        } else {
            g.writeNull();
        }
    }

    /** {@code "name": "<unsigned decimal>"}: an unsigned 64-bit hash or salt. */
    static void hash(JsonGenerator g, String name, long v) throws IOException {
        g.writeStringField(name, Long.toUnsignedString(v));
    }
}
