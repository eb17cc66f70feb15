/**
 * The Jlama engine connector ({@code jlama}, model format {@code jlama}): Jlama 0.8.4 computes, kvbm
 * stores and reuses its KV, copied row by row between Jlama's {@code KvBuffer} and kvbm's G1 blocks
 * through Jlama's public methods ({@code getKeyTensorForPosition} / {@code getValTensorForPosition}).
 *
 * <p><b>A class-path jar, not a module</b> (kvbm's one exception to "every module has a module-info"):
 * Jlama's jars cannot be JPMS modules. {@code jlama-native-0.8.4-linux-x86_64.jar} derives no module
 * name ({@code native} is not a Java identifier) and the package
 * {@code com.github.tjake.jlama.tensor.operations} is split across {@code jlama-core} and
 * {@code jlama-native}. So this connector and Jlama run on the class path beside kvbm's module path (the
 * distribution's {@code classpath/} folder). Code on the class path reads every named module of the boot
 * layer, so it implements kvbm-api types; the provider is declared in
 * {@code META-INF/services/dev.kvbm.api.spi.EngineConnector}, which {@link java.util.ServiceLoader} in
 * the named {@code dev.kvbm.core} also reads for class-path providers.
 *
 * <p>JVM flags: {@code --add-modules jdk.incubator.vector} (Jlama's Vector API code) and
 * {@code --enable-native-access=ALL-UNNAMED} (jlama-native's FFM downcalls and {@code System.load}).
 * Without the first the connector is unavailable and says so; without the second the JVM warns.
 *
 * <p><b>What is bit-exact.</b> Logits after restoring a prefix from kvbm equal continuing on Jlama's own
 * KV bit for bit on either tensor path (the same KV bytes meet the same suffix computation). Against a
 * full recompute of the whole prompt: on the pure-Java path
 * ({@code -Djlama.force_panama_tensor_operations=true}, after JIT warm-up) bit for bit for any prefix; on
 * the native SIMD path bit for bit when the prefix is a multiple of Jlama's 256-token prefill batch
 * ({@code jlama.max_batch_size}), so that both computations split into the same batches; otherwise the
 * native matrix code's result depends on the batch split and the raw logits differ slightly (measured: max
 * 1.3e-3 with 448 of 512 tokens reused, 2.5e-4 with 1776 of 2048). Before the JIT has compiled Jlama's
 * Vector API loops the pure-Java path differs by an ulp from its own later results (~400 of 512 logits).
 *
 * <p>Engine options ({@link dev.kvbm.api.spi.EngineOptions#options()}): none; keys starting with
 * {@code jlama.} are refused, other keys are left to other engines. The compute thread count is
 * process-wide in Jlama: the first model opened fixes it.
 */
package dev.kvbm.engine.jlama;
