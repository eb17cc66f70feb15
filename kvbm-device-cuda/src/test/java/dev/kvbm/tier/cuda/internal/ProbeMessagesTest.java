package dev.kvbm.tier.cuda.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProbeMessagesTest {

    /** The shape of JCuda's error when the JNI library cannot link libcuda.so.1 (abridged from a real run). */
    static final String JCUDA_NO_DRIVER = """
            Error while loading native library "JCudaDriver-12.6.0-linux-x86_64"
            Operating system name: Linux
            Architecture         : amd64
            Architecture bit size: 64
            ---(start of nested stack traces)---
            Stack trace from the attempt to load the library as a file:
            java.lang.UnsatisfiedLinkError: no JCudaDriver-12.6.0-linux-x86_64 in java.library.path: /usr/lib
            Stack trace from the attempt to load the library as a resource:
            java.lang.UnsatisfiedLinkError: /tmp/libJCudaDriver-12.6.0-linux-x86_64.so: libcuda.so.1: cannot open shared object file: No such file or directory
            """;

    @Test
    void missingDriverLibraryNamesLibcudaExactly() {
        String cause = ProbeMessages.loadFailure(new UnsatisfiedLinkError(JCUDA_NO_DRIVER));
        assertTrue(cause.startsWith("libcuda.so.1: cannot open shared object file: No such file or directory"), cause);
        assertTrue(cause.contains("no NVIDIA driver"), cause);
    }

    @Test
    void missingNvrtcIsNamed() {
        String cause = ProbeMessages.loadFailure(new UnsatisfiedLinkError(
                "/tmp/libJNvrtc-12.6.0-linux-x86_64.so: libnvrtc.so.12: cannot open shared object file: No such file or directory"));
        assertTrue(cause.startsWith("libnvrtc.so.12: cannot open shared object file"), cause);
        assertTrue(cause.contains("NVRTC"), cause);
    }

    @Test
    void undefinedDriverSymbolMeansDriverTooOld() {
        String cause = ProbeMessages.loadFailure(new UnsatisfiedLinkError(
                "/tmp/libJCudaDriver-12.6.0-linux-x86_64.so: undefined symbol: cuMemAllocAsync"));
        assertTrue(cause.startsWith("driver too old: undefined symbol: cuMemAllocAsync"), cause);
    }

    @Test
    void deniedNativeAccessNamesBothFlagForms() {
        String cause = ProbeMessages.loadFailure(new IllegalCallerException("Illegal native access from: module jcuda"));
        assertTrue(cause.contains("--enable-native-access=jcuda"), cause);
        assertTrue(cause.contains("--enable-native-access=ALL-UNNAMED"), cause);
    }

    @Test
    void causeChainsAreSearched() {
        RuntimeException wrapped = new RuntimeException("probe failed",
                new UnsatisfiedLinkError("x.so: libcuda.so.1: cannot open shared object file: No such file or directory"));
        assertTrue(ProbeMessages.loadFailure(wrapped).startsWith("libcuda.so.1: cannot open shared object file"));
    }

    @Test
    void otherFailuresKeepTheirTypeAndFirstLine() {
        assertEquals("NoClassDefFoundError: jcuda/driver/JCudaDriver",
                ProbeMessages.loadFailure(new NoClassDefFoundError("jcuda/driver/JCudaDriver\nmore")));
    }

    @Test
    void driverErrorsSayWhatIsMissing() {
        assertTrue(ProbeMessages.driverError("cuInit", "CUDA_ERROR_NO_DEVICE").startsWith("no CUDA device: cuInit returned"));
        assertTrue(ProbeMessages.driverError("cuInit", "CUDA_ERROR_INSUFFICIENT_DRIVER").startsWith("driver too old"));
        assertEquals("cuInit failed: CUDA_ERROR_UNKNOWN", ProbeMessages.driverError("cuInit", "CUDA_ERROR_UNKNOWN"));
        assertEquals("no CUDA device: cuDeviceGetCount returned 0", ProbeMessages.noDevice());
    }

    @Test
    void driverVersionBelowCuda12IsTooOld() {
        assertEquals(Optional.empty(), ProbeMessages.driverVersion(12000));
        assertEquals(Optional.empty(), ProbeMessages.driverVersion(12040));
        String cause = ProbeMessages.driverVersion(11040).orElseThrow();
        assertTrue(cause.startsWith("driver too old: it supports CUDA 11.4 (cuDriverGetVersion 11040)"), cause);
    }
}
