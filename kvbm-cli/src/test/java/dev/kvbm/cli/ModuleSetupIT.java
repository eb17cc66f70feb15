package dev.kvbm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.lang.module.ResolvedModule;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Checks the module set-up of the packaged distribution, read as the launcher reads it: a module path
 * and nothing on the class path; and that deleting an optional module's jar from lib/ (and nothing else) leaves a
 * distribution that runs without warnings and refuses, in one line, the commands that need the module. The graph
 * rules themselves are {@link ModuleGraphIT}'s.
 */
class ModuleSetupIT {

    /** The only third-party modules allowed to be automatic (no module-info of their own). */
    static final Set<String> ALLOWED_AUTOMATIC = Set.of("zero.allocation.hashing",
            // msgpack-core 0.9.10 has no module name either (kvbm-transport-zmq's KV events).
            "msgpack.core",
            // Chronicle Bytes and what it brings (kvbm-host-pinned); JNR/JNA are excluded in the root pom.
            "chronicle.bytes", "chronicle.core", "chronicle.analytics", "posix",
            // JMH and its two dependencies (kvbm-bench).
            "jmh.core", "jopt.simple", "commons.math3",
            // JCuda 12.6.0 and its natives jar (kvbm-device-cuda): no module-info, no Automatic-Module-Name.
            "jcuda", "jcuda.natives",
            // CURVE crypto of JeroMQ (kvbm-transport-zmq).
            "jnacl",
            // HdrHistogram 2.2.2 (kvbm-core, latency percentiles): no module-info, no Automatic-Module-Name, so
            // its name comes from the jar's file name.
            "HdrHistogram",
            // Micrometer and the Prometheus Java client (kvbm-metrics): Automatic-Module-Name only.
            "micrometer.core", "micrometer.commons", "micrometer.observation", "micrometer.registry.prometheus",
            "io.prometheus.metrics.config", "io.prometheus.metrics.core", "io.prometheus.metrics.expositionformats",
            "io.prometheus.metrics.model", "io.prometheus.metrics.tracer.common", "io.prometheus.writer.text",
            // Lettuce and what it brings besides Netty's real modules (kvbm-remote-redis).
            "lettuce.core", "reactor.core", "org.reactivestreams", "redis.clients.authentication.core");

    /** Prefixes of automatic modules allowed as a family: the AWS SDK v2's ~30 jars (kvbm-remote-s3). */
    static final Set<String> ALLOWED_AUTOMATIC_PREFIXES = Set.of("software.amazon.awssdk.");

    static boolean allowedAutomatic(String module) {
        return ALLOWED_AUTOMATIC.contains(module) || ALLOWED_AUTOMATIC_PREFIXES.stream().anyMatch(module::startsWith);
    }

    static final Path LIB = KvbmLauncherIT.ROOT.resolve("kvbm-cli/target/kvbm-dist/lib");

    @Test
    void theDistributionResolvesFromTheModulePathAlone() {
        // A fresh graph (not the test's boot layer, which already holds these modules): JDK plus lib/ only.
        Configuration cf = Configuration.resolveAndBind(ModuleFinder.compose(ModuleFinder.ofSystem(), ModuleFinder.of(LIB)),
                java.util.List.of(Configuration.empty()), ModuleFinder.of(), Set.of("dev.kvbm.cli"));
        Set<String> names = cf.modules().stream().map(ResolvedModule::name).collect(Collectors.toSet());
        assertTrue(names.containsAll(Set.of("dev.kvbm.api", "dev.kvbm.core", "dev.kvbm.cli")), names.toString());
    }

    @Test
    void kvbmModulesAreExplicitAndOnlyAllowedModulesAreAutomatic() {
        for (ModuleReference ref : ModuleFinder.of(LIB).findAll()) {
            ModuleDescriptor d = ref.descriptor();
            if (d.name().startsWith("dev.kvbm.")) {
                assertFalse(d.isAutomatic(), d.name() + " must have a module-info");
            } else if (d.isAutomatic()) {
                assertTrue(allowedAutomatic(d.name()), "unexpected automatic module " + d.name());
            }
        }
    }

    @Test
    void providesAndMetaInfServicesAgreeInEveryKvbmModule() throws IOException {
        for (ModuleReference ref : ModuleFinder.of(LIB).findAll()) {
            ModuleDescriptor d = ref.descriptor();
            if (!d.name().startsWith("dev.kvbm.")) {
                continue;
            }
            Map<String, Set<String>> declared = new TreeMap<>();
            d.provides().forEach(p -> declared.put(p.service(), new TreeSet<>(p.providers())));
            Map<String, Set<String>> services = new TreeMap<>();
            try (JarFile jar = new JarFile(Path.of(ref.location().orElseThrow()).toFile())) {
                var entries = jar.entries();
                while (entries.hasMoreElements()) {
                    var e = entries.nextElement();
                    if (e.getName().startsWith("META-INF/services/") && !e.isDirectory()) {
                        String service = e.getName().substring("META-INF/services/".length());
                        String text = new String(jar.getInputStream(e).readAllBytes(), StandardCharsets.UTF_8);
                        services.put(service, text.lines().map(l -> l.replaceAll("#.*", "").trim())
                                .filter(l -> !l.isEmpty()).collect(Collectors.toCollection(TreeSet::new)));
                    }
                }
            }
            assertEquals(declared, services, d.name() + ": module-info provides and META-INF/services differ");
        }
    }

    static final Path DIST = LIB.getParent();
    /** Tiny sizes: a replay of a few requests in a few MiB, so each run takes about a second. */
    static final String[] SHORT_REPLAY = {"replay", "--requests", "20", "--g1-blocks", "64", "--g2-blocks", "128",
            "--block-bytes", "16384", "--no-progress"};

    /** A copy of the distribution with the jar of {@code artifact} deleted from lib/, and nothing else changed. */
    static Path distributionWithout(String artifact, Path dir) throws IOException {
        Path copy = dir.resolve("kvbm-dist");
        List<Path> deleted = new ArrayList<>();
        try (var files = Files.walk(DIST)) {
            for (Path p : files.toList()) {
                Path target = copy.resolve(DIST.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else if (p.getParent().equals(LIB) && p.getFileName().toString().matches(artifact + "-[0-9].*\\.jar")) {
                    deleted.add(p);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        assertEquals(1, deleted.size(), "exactly one jar of " + artifact + " in " + LIB + ": " + deleted);
        return copy;
    }

    static KvbmLauncherIT.Run run(Path dist, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", dist.resolve("bin/kvbm").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dist.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().remove("KVBM_JAVA_OPTS");
        Path out = Files.createTempFile("kvbm-out", ".txt");
        Path err = Files.createTempFile("kvbm-err", ".txt");
        try {
            Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "kvbm did not finish in 120 s");
            return new KvbmLauncherIT.Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    static void assertRunsCleanly(KvbmLauncherIT.Run r, String what) {
        assertEquals(0, r.code(), what + ": " + r.err());
        assertTrue(r.err().lines().noneMatch(l -> l.contains("WARNING")), what + " warned: " + r.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"kvbm-device-cuda", "kvbm-transport-zmq", "kvbm-bench", "kvbm-disk-gds"})
    void withoutAnOptionalModuleTiersAndAShortReplayRunWithoutWarnings(String artifact, @TempDir Path dir)
            throws Exception {
        Path dist = distributionWithout(artifact, dir);
        KvbmLauncherIT.Run tiers = run(dist, "tiers");
        assertRunsCleanly(tiers, "kvbm tiers without " + artifact);
        assertTrue(tiers.out().contains("G2 (host): served by host-pinned"), tiers.out());
        assertEquals("", tiers.err(), "kvbm tiers without " + artifact);
        KvbmLauncherIT.Run replay = run(dist, SHORT_REPLAY);
        assertRunsCleanly(replay, "kvbm replay without " + artifact);
        assertTrue(replay.out().contains("libc memcpy"), "the reference still comes through the SPI: " + replay.out());
        assertEquals("", replay.err(), "kvbm replay without " + artifact);
    }

    /** The one line of a command that needs {@code module}, naming it and the jar to add. */
    static void assertRefused(KvbmLauncherIT.Run r, String command, String module, String artifact) {
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        String line = r.err().strip();
        assertTrue(line.startsWith("kvbm " + command + ": ") && line.contains("needs module " + module)
                && line.matches(".*add " + artifact + "-[0-9][^ ]*\\.jar to lib/$"), line);
    }

    @Test
    void withoutTheTransportLeaderWorkerAndDistributedReplaySayWhatToAdd(@TempDir Path dir) throws Exception {
        Path dist = distributionWithout("kvbm-transport-zmq", dir);
        assertRefused(run(dist, "leader", "--workers", "1"), "leader", "dev.kvbm.transport.zmq", "kvbm-transport-zmq");
        assertRefused(run(dist, "worker"), "worker", "dev.kvbm.transport.zmq", "kvbm-transport-zmq");
        List<String> distributed = new ArrayList<>(List.of(SHORT_REPLAY));
        distributed.addAll(List.of("--workers", "1"));
        assertRefused(run(dist, distributed.toArray(String[]::new)), "replay", "dev.kvbm.transport.zmq",
                "kvbm-transport-zmq");
    }

    @Test
    void withoutTheTransportTheBenchmarksRunAndListTheRoundTripAsSkipped(@TempDir Path dir) throws Exception {
        Path dist = distributionWithout("kvbm-transport-zmq", dir);
        Path out = dir.resolve("bench");
        KvbmLauncherIT.Run r = run(dist, "bench", "--smoke", "--filter", "SequenceHash|ZmqRoundTrip", "--out",
                out.toString());
        assertEquals(0, r.code(), r.err());
        String summary = Files.readString(out.resolve("summary.md"));
        assertTrue(summary.contains("hash/sequence/32"), summary);
        assertTrue(summary.contains("transfer_blocks round trip: module dev.kvbm.transport.zmq is not in this "
                + "distribution"), summary);
        assertFalse(summary.contains("zmq/transfer_blocks"), summary);
    }

    @Test
    void withoutTheHostTierTiersRunsAndReplaySaysWhatToAdd(@TempDir Path dir) throws Exception {
        Path dist = distributionWithout("kvbm-host-pinned", dir);
        KvbmLauncherIT.Run tiers = run(dist, "tiers");
        assertRunsCleanly(tiers, "kvbm tiers without kvbm-host-pinned");
        assertTrue(tiers.out().contains("G2 (host): no available provider"), tiers.out());
        assertRefused(run(dist, SHORT_REPLAY), "replay", "dev.kvbm.tier.host", "kvbm-host-pinned");
    }

    @Test
    void withoutTheBenchmarksBenchSaysWhatToAdd(@TempDir Path dir) throws Exception {
        assertRefused(run(distributionWithout("kvbm-bench", dir), "bench", "--smoke"), "bench", "dev.kvbm.bench",
                "kvbm-bench");
    }

    @Test
    void withoutTheDiskTierAReplayWithG3SaysWhatToAdd(@TempDir Path dir) throws Exception {
        List<String> withDisk = new ArrayList<>(List.of(SHORT_REPLAY));
        withDisk.addAll(List.of("--g3-blocks", "64"));
        assertRefused(run(distributionWithout("kvbm-disk-gds", dir), withDisk.toArray(String[]::new)), "replay",
                "dev.kvbm.tier.disk", "kvbm-disk-gds");
    }

    @Test
    void withoutTheDeviceTierG1DeviceFallsBackToHostMemoryInOneLineNamingTheJar(@TempDir Path dir) throws Exception {
        List<String> onDevice = new ArrayList<>(List.of(SHORT_REPLAY));
        onDevice.addAll(List.of("--g1-device", "0"));
        KvbmLauncherIT.Run r = run(distributionWithout("kvbm-device-cuda", dir), onDevice.toArray(String[]::new));
        // --g1-device falls back to host memory wherever the GPU is unusable; a missing module is one such case.
        assertEquals(0, r.code(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("kvbm replay: --g1-device 0: G1 stays in host memory: ")
                && r.err().contains("kvbm-device-cuda (module dev.kvbm.tier.cuda), which is not on the module path"),
                r.err());
    }

    @Test
    void theFullDistributionAppliesTheOptionsOfEveryModuleItHolds() throws IOException {
        try (var fragments = Files.list(DIST.resolve("jvm"))) {
            for (Path f : fragments.toList()) {
                String artifact = f.getFileName().toString().replace(".options", "");
                try (var jars = Files.list(LIB)) {
                    assertTrue(jars.anyMatch(j -> j.getFileName().toString().matches(artifact + "-[0-9].*\\.jar")),
                            f + " names no jar of lib/");
                }
                String text = Files.readString(f);
                assertFalse(text.contains("${"), f + " was not filtered: " + text);
                assertFalse(text.isBlank(), f + " is empty");
            }
        }
    }
}
