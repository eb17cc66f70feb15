package dev.kvbm.bench.internal;

import dev.kvbm.bench.Metric;
import dev.kvbm.tier.cuda.CudaCopyProbe;
import dev.kvbm.tier.cuda.CudaProbe;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Measurements that JMH cannot host, taken in the same run as the JMH suite: CUDA host&lt;-&gt;device copies
 * through the {@code cuda} engine next to a plain pinned {@code cuMemcpyAsync} (only where a GPU is usable),
 * and {@code fio --direct=1} on the disk cache's file system (only where fio is installed). Each reports why
 * it was skipped.
 */
public final class ExternalReferences {
    private static final Pattern BW = Pattern.compile("\"bw_bytes\"\\s*:\\s*(\\d+)");

    /** A skipped measurement and why. */
    public record Skipped(String what, String why) {
    }

    private ExternalReferences() {
    }

    /** CUDA H2D/D2H metrics, or empty with the reason recorded in {@code skipped}. */
    public static List<Metric> cuda(int iterations, List<Skipped> skipped) {
        if (!CudaProbe.isAvailable()) {
            skipped.add(new Skipped("cuda G1<->G2 copies", CudaProbe.unavailabilityCause().orElse("CUDA unavailable")));
            return List.of();
        }
        List<Metric> out = new ArrayList<>();
        for (CudaCopyProbe.Result r : CudaCopyProbe.standard(0, iterations)) {
            String id = String.format(Locale.ROOT, "cuda/%s/%s/%dKiB/x%d", r.direction(), r.deviceLayout().shortName(),
                    r.blockBytes() >> 10, r.blocks());
            out.add(Metric.of(id, "cuda", r.blockBytes() >> 10, r.direction() + " " + r.deviceLayout().shortName(),
                    r.engineGBps(), Double.NaN, "GB/s", r.referenceGBps(), Double.NaN, true));
        }
        return out;
    }

    /** fio figures ({@code disk-fio} group, value = reference = fio's GB/s), or empty with the reason. */
    public static List<Metric> fio(List<Integer> blockKiB, Path dir, List<Skipped> skipped) {
        Optional<Path> fio = onPath("fio");
        if (fio.isEmpty()) {
            skipped.add(new Skipped("fio reference", "fio is not installed (apt-get install fio)"));
            return List.of();
        }
        List<Metric> out = new ArrayList<>();
        for (int kib : blockKiB) {
            for (String rw : List.of("randwrite", "randread")) {
                Path file = dir.resolve("kvbm-fio-" + kib + ".bin");
                try {
                    double gbps = runFio(fio.get(), file, kib, rw);
                    String dirName = rw.equals("randwrite") ? "write" : "read";
                    out.add(Metric.of("disk-fio/" + dirName + "/" + kib + "KiB", "disk-fio", kib, "fio " + dirName,
                            gbps, Double.NaN, "GB/s", gbps, Double.NaN, true));
                } catch (IOException | InterruptedException e) {
                    if (e instanceof InterruptedException) {
                        Thread.currentThread().interrupt();
                    }
                    skipped.add(new Skipped("fio " + rw + " " + kib + " KiB", e.getMessage()));
                } finally {
                    try {
                        Files.deleteIfExists(file);
                    } catch (IOException ignored) {
                        // a leftover temp file is harmless
                    }
                }
            }
        }
        return out;
    }

    /** One fio job like the disk benchmark: O_DIRECT, libaio, queue depth 4, random offsets, 256 MiB. */
    private static double runFio(Path fio, Path file, int kib, String rw) throws IOException, InterruptedException {
        List<String> cmd = List.of(fio.toString(), "--name=kvbm", "--filename=" + file, "--rw=" + rw, "--bs=" + kib + "k",
                "--size=256m", "--direct=1", "--ioengine=libaio", "--iodepth=4", "--runtime=3", "--time_based",
                "--output-format=json");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("fio " + rw + " failed: " + new String(output, StandardCharsets.UTF_8).lines()
                    .reduce((a, b) -> b).orElse("no output"));
        }
        String json = new String(output, StandardCharsets.UTF_8);
        String section = json.substring(json.indexOf(rw.equals("randwrite") ? "\"write\"" : "\"read\""));
        Matcher m = BW.matcher(section);
        if (!m.find()) {
            throw new IOException("fio printed no bw_bytes");
        }
        return Long.parseLong(m.group(1)) / 1e9;
    }

    private static Optional<Path> onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
