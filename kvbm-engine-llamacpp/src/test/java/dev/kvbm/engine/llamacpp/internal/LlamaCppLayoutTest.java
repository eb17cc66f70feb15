package dev.kvbm.engine.llamacpp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The binding's struct layouts against the llama.h they were written from: the build clones the source bundled in
 * npm {@code node-llama-cpp@3.21.1} ({@code llama/gitRelease.bundle}, commit 80fb11ac) into
 * {@code target/llama.cpp-src}; this test generates a C program printing {@code sizeof} and {@code offsetof} of every
 * field the layouts name, compiles it with gcc and compares.
 */
class LlamaCppLayoutTest {

    private static Path target() {
        return Path.of(System.getProperty("kvbm.llamacpp.test.target", "target"));
    }

    @Test
    void everyFieldSitsWhereGccPutsIt() throws Exception {
        Path src = target().resolve("llama.cpp-src");
        Path missing = target().resolve("llama.cpp.headers.missing");
        assumeTrue(Files.isReadable(src.resolve("include/llama.h")), () -> "no llama.h in " + src + ": "
                + (Files.isReadable(missing) ? read(missing) : "the build did not fetch node-llama-cpp@3.21.1"));
        assumeTrue(onPath("gcc"), "gcc is not installed; the struct layouts cannot be checked against llama.h");

        StringBuilder c = new StringBuilder("#include <stdio.h>\n#include <stddef.h>\n#include \"llama.h\"\n"
                + "#define F(s, f) printf(#s \".\" #f \" %zu %zu\\n\", offsetof(struct s, f), sizeof(((struct s *)0)->f))\n"
                + "int main(void) {\n");
        Map<String, Long> expected = new LinkedHashMap<>();
        for (GroupLayout struct : LlamaCpp.STRUCTS) {
            String name = struct.name().orElseThrow();
            c.append("  printf(\"").append(name).append(" %zu\\n\", sizeof(struct ").append(name).append("));\n");
            expected.put(name, struct.byteSize());
            for (MemoryLayout field : struct.memberLayouts()) {
                if (field instanceof PaddingLayout) {
                    continue;
                }
                String f = field.name().orElseThrow();
                c.append("  F(").append(name).append(", ").append(f).append(");\n");
                long offset = struct.byteOffset(MemoryLayout.PathElement.groupElement(f));
                expected.put(name + "." + f, offset * 1_000_000 + field.byteSize());
            }
        }
        c.append("  return 0;\n}\n");

        Path work = Files.createTempDirectory(target(), "layout");
        Path program = work.resolve("layout.c");
        Files.writeString(program, c);
        Path exe = work.resolve("layout");
        run(List.of("gcc", "-std=c11", "-I" + src.resolve("include"), "-I" + src.resolve("ggml/include"),
                "-o", exe.toString(), program.toString()));
        Map<String, Long> actual = new LinkedHashMap<>();
        for (String line : run(List.of(exe.toString())).split("\n")) {
            String[] p = line.trim().split(" ");
            actual.put(p[0], p.length == 2 ? Long.parseLong(p[1]) : Long.parseLong(p[1]) * 1_000_000 + Long.parseLong(p[2]));
        }
        assertEquals(expected, actual, "offset * 1e6 + size of every field, and each struct's size");
        assertEquals(80L, actual.get("llama_model_params"));
        assertEquals(160L, actual.get("llama_context_params"));
        assertEquals(56L, actual.get("llama_batch"));
    }

    private static String read(Path p) {
        try {
            return Files.readString(p).strip();
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed:\n" + out);
        }
        return out;
    }
}
