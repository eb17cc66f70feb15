package dev.kvbm.bench.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * fio, the disk engines' physical reference: {@code --direct=1 --ioengine=libaio --iodepth=4} random reads or
 * writes of one block size over one file, for a given time. Found on the {@code PATH}, or absent (then the bench
 * says so and the disk engines keep only their FileChannel reference).
 */
public final class Fio {
    /** What the bench says when fio is not installed. */
    public static final String ABSENT = "fio is not installed (apt-get install fio): the disk engines are compared "
            + "with the O_DIRECT FileChannel only";
    private static final Pattern BW = Pattern.compile("\"bw_bytes\"\\s*:\\s*(\\d+)");

    private Fio() {
    }

    /** The fio executable on the {@code PATH}. */
    public static Optional<Path> find() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(dir, "fio");
            if (!dir.isEmpty() && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /**
     * GB/s of {@code fio} writing ({@code write}) or reading random {@code blockBytes} blocks of {@code file}
     * ({@code fileBytes} long, laid out by fio on first use and kept) at queue depth 4 for {@code time}.
     */
    public static double run(Path fio, Path file, long blockBytes, long fileBytes, boolean write, Duration time)
            throws IOException, InterruptedException {
        String rw = write ? "randwrite" : "randread";
        List<String> cmd = List.of(fio.toString(), "--name=kvbm", "--filename=" + file, "--rw=" + rw,
                "--bs=" + blockBytes, "--size=" + fileBytes, "--direct=1", "--ioengine=libaio", "--iodepth=4",
                "--runtime=" + Math.max(1, time.toMillis()) + "ms", "--time_based", "--output-format=json");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("fio " + rw + " failed: " + new String(output, StandardCharsets.UTF_8).lines()
                    .reduce((a, b) -> b).orElse("no output"));
        }
        String json = new String(output, StandardCharsets.UTF_8);
        int section = json.indexOf(write ? "\"write\"" : "\"read\"");
        Matcher m = BW.matcher(section < 0 ? "" : json.substring(section));
        if (!m.find()) {
            throw new IOException("fio " + rw + " printed no bw_bytes");
        }
        return Long.parseLong(m.group(1)) / 1e9;
    }
}
