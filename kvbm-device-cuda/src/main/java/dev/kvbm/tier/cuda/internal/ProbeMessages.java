package dev.kvbm.tier.cuda.internal;

import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Turns what the CUDA probe ran into into one precise line: the driver library missing, no device, a driver
 * too old for JCuda 12.6, or native access denied. Pure string work, tested without a GPU.
 */
final class ProbeMessages {
    /** JCuda 12.6 is built against the CUDA 12 driver API: cuDriverGetVersion must be at least this. */
    static final int MIN_DRIVER_VERSION = 12000;
    private static final java.util.regex.Pattern MISSING_LIBRARY = java.util.regex.Pattern.compile(
            "[\\w.+-]+\\.so[\\w.]*: cannot open shared object file(: No such file or directory)?");

    private ProbeMessages() {
    }

    /** The cause of a failure to load JCuda's JNI library or to initialise the driver. */
    static String loadFailure(Throwable t) {
        Set<String> lines = new LinkedHashSet<>();
        for (Throwable c = t; c != null && lines.size() < 8; c = c.getCause()) {
            if (c.getMessage() != null) {
                c.getMessage().lines().map(String::trim).filter(l -> !l.isEmpty()).forEach(lines::add);
            }
        }
        if (t instanceof IllegalCallerException || lines.stream().anyMatch(l -> l.contains("--enable-native-access"))) {
            return "JCuda may not load native code: start the JVM with --enable-native-access=jcuda (module path) or "
                    + "--enable-native-access=ALL-UNNAMED (class path); the distribution's jvm/dev.kvbm.tier.cuda.options has it";
        }
        Optional<String> missing = lines.stream().filter(l -> l.contains("cannot open shared object file")).findFirst();
        if (missing.isPresent()) {
            String line = missing.get();
            java.util.regex.Matcher m = MISSING_LIBRARY.matcher(line);
            String detail = m.find() ? m.group() : line;
            if (line.contains("libcuda.so")) {
                return detail + " (no NVIDIA driver on this machine: the CUDA driver library libcuda.so.1 is not "
                        + "installed or not on the loader path)";
            }
            if (line.contains("libnvrtc")) {
                return detail + " (the CUDA runtime compiler NVRTC of the CUDA 12 toolkit is not installed)";
            }
            return detail;
        }
        Optional<String> symbol = lines.stream().filter(l -> l.contains("undefined symbol")).findFirst();
        if (symbol.isPresent()) {
            return "driver too old: " + symbol.get().substring(symbol.get().indexOf("undefined symbol"))
                    + " (JCuda " + NativeLibraries.JCUDA_VERSION + " needs a CUDA 12 driver)";
        }
        String first = lines.stream().findFirst().orElse(t.getClass().getName());
        return t.getClass().getSimpleName() + ": " + first;
    }

    /** The cause for a CUDA error name from {@code cuInit} or {@code cuDeviceGetCount}, e.g. {@code CUDA_ERROR_NO_DEVICE}. */
    static String driverError(String call, String errorName) {
        return switch (errorName) {
            case "CUDA_ERROR_NO_DEVICE" -> "no CUDA device: " + call + " returned CUDA_ERROR_NO_DEVICE (driver present, "
                    + "no GPU visible; check CUDA_VISIBLE_DEVICES and nvidia-smi)";
            case "CUDA_ERROR_INSUFFICIENT_DRIVER" -> "driver too old: " + call
                    + " returned CUDA_ERROR_INSUFFICIENT_DRIVER (JCuda " + NativeLibraries.JCUDA_VERSION
                    + " needs a CUDA 12 driver)";
            case "CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE", "CUDA_ERROR_SYSTEM_DRIVER_MISMATCH" -> "driver mismatch: "
                    + call + " returned " + errorName + " (the driver library and the kernel module differ in version)";
            default -> call + " failed: " + errorName;
        };
    }

    /** Empty when the driver version is new enough; otherwise the cause naming both versions. */
    static Optional<String> driverVersion(int version) {
        if (version >= MIN_DRIVER_VERSION) {
            return Optional.empty();
        }
        return Optional.of("driver too old: it supports CUDA " + version / 1000 + "." + (version % 1000) / 10
                + " (cuDriverGetVersion " + version + "), JCuda " + NativeLibraries.JCUDA_VERSION
                + " needs CUDA 12.0 or newer (" + MIN_DRIVER_VERSION + ")");
    }

    /** The cause when the driver initialised but reports no device. */
    static String noDevice() {
        return "no CUDA device: cuDeviceGetCount returned 0";
    }
}
