package dev.kvbm.transport.zmq.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON payloads of the wire ({@code transfer_blocks}'s {@code BlockTransferRequest}, worker outcomes, debug
 * replies) as plain values, read and written with Jackson's streaming API. Reading is strict (RFC 8259: no
 * comments, no trailing commas, no duplicate keys, nesting at most 32); objects keep their key order, so
 * Dynamo's field order survives a round trip, and numbers keep their text, so they are re-emitted exactly.
 * Values: {@link Map}, {@link List}, {@link String}, {@link Num}, {@link Boolean}, {@link #NULL}.
 */
public final class PayloadJson {
    /** JSON {@code null} (Java null would be ambiguous in maps). */
    public static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };
    private static final int MAX_DEPTH = 32;
    /** The strict factory; {@link CompactTransferJson}, the typed fast path, derives its own from it. */
    static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
            .build();

    /** A number as it was written. */
    public record Num(String text) {
        /** The value as a non-negative int, or an error naming {@code field}. */
        public int nonNegativeInt(String field) {
            // by hand, not a regular expression: a request off the fast path has one per block index
            int n = text.length();
            boolean digits = n >= 1 && n <= 10 && (n == 1 || text.charAt(0) != '0');
            long v = 0;
            for (int i = 0; digits && i < n; i++) {
                char c = text.charAt(i);
                digits = c >= '0' && c <= '9';
                v = v * 10 + (c - '0');
            }
            if (!digits || v > Integer.MAX_VALUE) {
                throw bad(field, "must be an integer in 0.." + Integer.MAX_VALUE + " (got " + text + ")");
            }
            return (int) v;
        }
    }

    private PayloadJson() {
    }

    /** Parses one JSON document; fails with {@code PROTOCOL_ERROR} saying where. */
    public static Object parse(String text) {
        try (JsonParser p = JSON.createParser(text)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw new KvbmException(ErrorCode.PROTOCOL_ERROR, "bad JSON at offset 0: unexpected end of input");
            }
            Object v = value(p, first);
            if (p.nextToken() != null) {
                throw new KvbmException(ErrorCode.PROTOCOL_ERROR, "bad JSON at offset "
                        + p.currentTokenLocation().getCharOffset() + ": unexpected text after the JSON value");
            }
            return v;
        } catch (JsonProcessingException e) {
            long offset = e.getLocation() == null ? -1 : e.getLocation().getCharOffset();
            throw new KvbmException(ErrorCode.PROTOCOL_ERROR, "bad JSON at offset " + offset + ": "
                    + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a String source does no I/O
        }
    }

    private static Object value(JsonParser p, JsonToken t) throws IOException {
        return switch (t) {
            case START_OBJECT -> {
                Map<String, Object> map = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    map.put(key, value(p, p.nextToken()));
                }
                yield map;
            }
            case START_ARRAY -> {
                List<Object> list = new ArrayList<>();
                for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
                    list.add(value(p, e));
                }
                yield list;
            }
            case VALUE_STRING -> p.getText();
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> new Num(p.getText());
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> NULL;
            default -> throw new KvbmException(ErrorCode.PROTOCOL_ERROR, "bad JSON at offset "
                    + p.currentTokenLocation().getCharOffset() + ": unexpected " + t);
        };
    }

    static KvbmException bad(String field, String what) {
        return KvbmException.forField(ErrorCode.PROTOCOL_ERROR, field, field + " " + what);
    }

    /** Compact JSON text of a value built from the types above. */
    public static String write(Object v) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            write(g, v);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does no I/O
        }
        return out.toString();
    }

    private static void write(JsonGenerator g, Object v) throws IOException {
        switch (v) {
            case Map<?, ?> m -> {
                g.writeStartObject();
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    g.writeFieldName((String) e.getKey());
                    write(g, e.getValue());
                }
                g.writeEndObject();
            }
            case List<?> l -> {
                g.writeStartArray();
                for (Object o : l) {
                    write(g, o);
                }
                g.writeEndArray();
            }
            case String str -> g.writeString(str);
            case Num n -> g.writeNumber(n.text());
            case Integer n -> g.writeNumber(n);
            case Long n -> g.writeNumber(n);
            case Number n -> g.writeNumber(n.toString());
            case Boolean bool -> g.writeBoolean(bool);
            default -> {
                if (v != NULL) {
                    throw new IllegalArgumentException("not a JSON value: " + v.getClass());
                }
                g.writeNull();
            }
        }
    }
}
