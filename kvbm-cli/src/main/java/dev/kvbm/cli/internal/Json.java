package dev.kvbm.cli.internal;

import java.io.PrintStream;

/** A small streaming JSON writer: enough for kvbm's reports, with correct string escaping. */
public final class Json {
    private final PrintStream out;
    private final StringBuilder pending = new StringBuilder();
    private boolean needComma;

    public Json(PrintStream out) {
        this.out = out;
    }

    public Json beginObject() {
        value("{");
        needComma = false;
        return this;
    }

    public Json endObject() {
        raw("}");
        needComma = true;
        return this;
    }

    public Json beginArray() {
        value("[");
        needComma = false;
        return this;
    }

    public Json endArray() {
        raw("]");
        needComma = true;
        return this;
    }

    public Json name(String name) {
        comma();
        raw(quote(name) + ":");
        needComma = false;
        return this;
    }

    public Json value(long v) {
        return value(Long.toString(v));
    }

    public Json value(double v) {
        return value(Double.isFinite(v) ? Double.toString(v) : "null");
    }

    public Json value(boolean v) {
        return value(Boolean.toString(v));
    }

    public Json string(String v) {
        return value(v == null ? "null" : quote(v));
    }

    public Json field(String name, long v) {
        return name(name).value(v);
    }

    public Json field(String name, String v) {
        return name(name).string(v);
    }

    public Json field(String name, boolean v) {
        return name(name).value(v);
    }

    /** Ends the document with a newline and flushes. */
    public void end() {
        raw("\n");
        out.print(pending);
        pending.setLength(0);
        out.flush();
    }

    private Json value(String token) {
        comma();
        raw(token);
        needComma = true;
        return this;
    }

    private void comma() {
        if (needComma) {
            raw(",");
        }
    }

    private void raw(String s) {
        pending.append(s);
        if (pending.length() > 1 << 16) {
            out.print(pending);
            pending.setLength(0);
        }
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
