package dev.kvbm.core.replay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kvbm.api.KvbmException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("fault")
class MooncakeTraceTest {

    @Test
    void hostileFilesGetOneLineNamingFileAndLine(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        String good = "{\"timestamp\": 0, \"input_length\": 1, \"output_length\": 1, \"hash_ids\": [1]}\n";
        java.nio.file.Path bad = dir.resolve("bad.jsonl");
        byte[] head = good.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] bytes = java.util.Arrays.copyOf(head, head.length + 3);
        bytes[head.length] = (byte) 0xff;
        bytes[head.length + 1] = (byte) 0xfe;
        bytes[head.length + 2] = '\n';
        java.nio.file.Files.write(bad, bytes);
        dev.kvbm.api.KvbmException e = org.junit.jupiter.api.Assertions.assertThrows(dev.kvbm.api.KvbmException.class,
                () -> MooncakeTrace.read(bad, 0));
        assertEquals(bad + ":2: not valid UTF-8", e.getMessage());

        java.nio.file.Path longLine = dir.resolve("long.jsonl");
        java.nio.file.Files.writeString(longLine, good + "x".repeat(500) + "\n");
        e = org.junit.jupiter.api.Assertions.assertThrows(dev.kvbm.api.KvbmException.class,
                () -> MooncakeTrace.read(longLine, 0, 200));
        assertEquals(longLine + ":2: a line longer than 200 bytes (no trace request is that long)", e.getMessage());
        assertEquals(1, MooncakeTrace.read(longLine, 1, 200).size(), "a limit stops before the long line");

        e = org.junit.jupiter.api.Assertions.assertThrows(dev.kvbm.api.KvbmException.class,
                () -> MooncakeTrace.read(dir.resolve("nope.jsonl"), 0));
        assertEquals("no such file: " + dir.resolve("nope.jsonl"), e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(dev.kvbm.api.KvbmException.class,
                () -> MooncakeTrace.read(dir, 0));
        assertEquals(dir + " is a directory, not a trace file", e.getMessage());

        java.nio.file.Path noNewline = dir.resolve("last.jsonl");
        java.nio.file.Files.writeString(noNewline, good + "\r\n" + good.strip());
        assertEquals(2, MooncakeTrace.read(noNewline, 0).size(), "CRLF and a last line without a newline");
    }

    @Test
    void parsesTheFourFieldsAndIgnoresOthers() {
        TraceRequest r = MooncakeTrace.parse("{\"timestamp\": 27482, \"input_length\": 6955, \"output_length\": 52, "
                + "\"hash_ids\": [46, 47, 9007199254740993], \"extra\": {\"a\": [1, \"}\"]}}", "t:1");
        assertEquals(27482, r.timestamp());
        assertEquals(6955, r.inputLength());
        assertEquals(52, r.outputLength());
        assertArrayEquals(new long[] {46, 47, 9007199254740993L}, r.hashIds());
    }

    @Test
    void malformedLinesNameTheLineAndTheProblem(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("t.jsonl");
        Files.writeString(f, "{\"hash_ids\": [1, 2]}\n\n{\"hash_ids\": [1, -2]}\n");
        KvbmException e = assertThrows(KvbmException.class, () -> MooncakeTrace.read(f, 0));
        assertEquals(f + ":3: \"hash_ids\" must be >= 0 (got -2)", e.getMessage());
        assertEquals("trace " + f + ":1: missing \"hash_ids\"", "trace " + assertThrows(KvbmException.class,
                () -> MooncakeTrace.parse("{\"timestamp\": 1}", f + ":1")).getMessage());
        assertEquals("x:1: expected '}' at column 17", assertThrows(KvbmException.class,
                () -> MooncakeTrace.parse("{\"hash_ids\": [1]", "x:1")).getMessage());
        assertEquals("x:1: \"timestamp\" must be an integer (got 'abc')", assertThrows(KvbmException.class,
                () -> MooncakeTrace.parse("{\"timestamp\": abc}", "x:1")).getMessage());
    }

    @Test
    void jacksonsSyntaxErrorsStillNameTheLineAndTheColumn() {
        assertEquals("x:2: expected ']' at column 19", assertThrows(KvbmException.class,
                () -> MooncakeTrace.parse("{\"hash_ids\": [1, 2", "x:2")).getMessage());
        assertEquals("x:3: \"hash_ids\" must be an array of integers (got 'a')", assertThrows(KvbmException.class,
                () -> MooncakeTrace.parse("{\"hash_ids\": \"a\"}", "x:3")).getMessage());
        assertEquals("x:4: \"hash_ids\" must be an integer (got '1.5')", assertThrows(KvbmException.class,
                () -> MooncakeTrace.parse("{\"hash_ids\": [1.5]}", "x:4")).getMessage());
        assertEquals("x:5: unexpected text after the object at column 19", assertThrows(KvbmException.class,
                () -> MooncakeTrace.parse("{\"hash_ids\": [1]} {}", "x:5")).getMessage());
        assertEquals("x:6: expected '{' at column 1", assertThrows(KvbmException.class,
                () -> MooncakeTrace.parse("[1]", "x:6")).getMessage());
        String bad = assertThrows(KvbmException.class,
                () -> MooncakeTrace.parse("{\"hash_ids\": [1], \"x\": tru}", "x:7")).getMessage();
        // an unknown field is skipped, but it must be JSON (the hand-written reader skipped any text)
        assertEquals(true, bad.startsWith("x:7: Unrecognized token 'tru'") && bad.endsWith(" at column 27"), bad);
        // integral floats and huge ids are read exactly as before
        assertArrayEquals(new long[] {3, 9007199254740993L}, MooncakeTrace.parse("{\"hash_ids\": [3.0, 9007199254740993]}",
                "x:8").hashIds());
    }

    @Test
    void limitReadsTheFirstRequests(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("t.jsonl");
        Files.writeString(f, "{\"hash_ids\": [1]}\n{\"hash_ids\": [2]}\n{\"hash_ids\": [3]}\n");
        List<TraceRequest> two = MooncakeTrace.read(f, 2);
        assertEquals(2, two.size());
        assertArrayEquals(new long[] {2}, two.get(1).hashIds());
        Path empty = dir.resolve("e.jsonl");
        Files.writeString(empty, "\n");
        assertThrows(KvbmException.class, () -> MooncakeTrace.read(empty, 0));
    }

    @Test
    void generatorIsReproducibleAndSharesPrefixes() {
        WorkloadGenerator.Shape shape = new WorkloadGenerator.Shape(5, 3, 2, 4, 3);
        List<TraceRequest> a = WorkloadGenerator.generate(shape, 7, 16);
        List<TraceRequest> b = WorkloadGenerator.generate(shape, 7, 16);
        assertEquals(15, a.size());
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i).hashIds(), b.get(i).hashIds());
        }
        assertEquals(true, a.stream().mapToInt(TraceRequest::blocks).max().orElseThrow() <= shape.maxRequestBlocks());
        assertEquals(true, Replayer.unboundedHits(a) > 0);
    }
}
