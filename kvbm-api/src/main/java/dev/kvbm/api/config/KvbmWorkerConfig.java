package dev.kvbm.api.config;

import dev.kvbm.api.KvbmException;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.layout.TensorLayouts;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What one worker (one GPU, or the host standing in for one) is told at start: how many device blocks
 * it has, their page size, and either the model geometry or the KV tensors to infer it from. Mirrors
 * Dynamo's {@code KvbmWorkerConfig}.
 *
 * <p>Rules: {@code pageSize} a power of two, at most 1024 (default 32); {@code numDeviceBlocks > 0};
 * {@code outerDim} and {@code innerDim} both given (outer 1..2, inner >= 1, with {@code numLayers >= 1})
 * or all three left to inference from the tensors; {@code dtypeWidthBytes >= 1} (default 2);
 * {@code deviceId >= 0}; {@code rank}, when given, {@code >= 0}.
 */
public record KvbmWorkerConfig(int numDeviceBlocks, int pageSize, int deviceId, int dtypeWidthBytes,
                               OptionalInt numLayers, OptionalInt outerDim, OptionalInt innerDim,
                               Optional<LayoutType> deviceLayoutType, LayoutType hostLayoutType,
                               LayoutType diskLayoutType, OptionalInt rank) {

    public KvbmWorkerConfig {
        if (numDeviceBlocks <= 0) {
            throw KvbmException.invalid("numDeviceBlocks", numDeviceBlocks, "> 0");
        }
        if (pageSize < 1 || Integer.bitCount(pageSize) != 1 || pageSize > ConfigKeys.MAX_PAGE_SIZE) {
            throw KvbmException.invalid("pageSize", pageSize, "a power of two in 1.." + ConfigKeys.MAX_PAGE_SIZE);
        }
        if (deviceId < 0) {
            throw KvbmException.invalid("deviceId", deviceId, ">= 0");
        }
        if (dtypeWidthBytes < 1) {
            throw KvbmException.invalid("dtypeWidthBytes", dtypeWidthBytes, ">= 1");
        }
        if (outerDim.isPresent() != innerDim.isPresent()) {
            String missing = outerDim.isPresent() ? "innerDim" : "outerDim";
            throw KvbmException.invalid(missing, "nothing",
                    "given together with " + (outerDim.isPresent() ? "outerDim" : "innerDim")
                            + " (give both, or neither to infer them from the tensors)");
        }
        if (outerDim.isPresent()) {
            int outer = outerDim.getAsInt();
            if (outer < 1 || outer > 2) {
                throw KvbmException.invalid("outerDim", outer, "in 1..2");
            }
            if (innerDim.getAsInt() < 1) {
                throw KvbmException.invalid("innerDim", innerDim.getAsInt(), ">= 1");
            }
            if (numLayers.isEmpty()) {
                throw KvbmException.invalid("numLayers", "nothing", "given when outerDim and innerDim are given");
            }
        }
        if (numLayers.isPresent() && numLayers.getAsInt() < 1) {
            throw KvbmException.invalid("numLayers", numLayers.getAsInt(), ">= 1");
        }
        if (rank.isPresent() && rank.getAsInt() < 0) {
            throw KvbmException.invalid("rank", rank.getAsInt(), ">= 0");
        }
        deviceLayoutType = deviceLayoutType == null ? Optional.empty() : deviceLayoutType;
        hostLayoutType = hostLayoutType == null ? LayoutType.FULLY_CONTIGUOUS : hostLayoutType;
        diskLayoutType = diskLayoutType == null ? LayoutType.FULLY_CONTIGUOUS : diskLayoutType;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** True when the geometry is given, not left to inference. */
    public boolean hasExplicitGeometry() {
        return outerDim.isPresent();
    }

    /**
     * The device layout: from the explicit geometry, or inferred from the engine's tensor shapes
     * (which must then be given). The device layout type is the explicit one, else detected.
     */
    public DeviceLayout resolveDeviceLayout(List<long[]> tensorShapes) {
        if (hasExplicitGeometry()) {
            LayoutConfig config = new LayoutConfig(numDeviceBlocks, numLayers.getAsInt(), outerDim.getAsInt(), pageSize,
                    innerDim.getAsInt(), LayoutConfig.DEFAULT_ALIGNMENT, dtypeWidthBytes);
            return new DeviceLayout(config, deviceLayoutType.orElse(LayoutType.FULLY_CONTIGUOUS), false);
        }
        if (tensorShapes == null || tensorShapes.isEmpty()) {
            throw KvbmException.invalid("outerDim", "nothing",
                    "given (with innerDim and numLayers) when no KV tensors are handed in to infer them from");
        }
        TensorLayouts.Inferred inferred = TensorLayouts.infer(tensorShapes, numDeviceBlocks, pageSize,
                deviceLayoutType.orElse(null));
        return new DeviceLayout(inferred.toLayoutConfig(numDeviceBlocks, pageSize, dtypeWidthBytes), inferred.type(),
                inferred.mla());
    }

    /** The resolved device layout; {@code mla} when the tensors were read as an MLA cache. */
    public record DeviceLayout(LayoutConfig config, LayoutType type, boolean mla) {
        /** Bytes of one block on this worker: layers x outer x page x inner x dtype. */
        public long bytesPerBlock() {
            return config.blockDataBytes();
        }
    }

    /** Fluent construction; unset optional fields take the defaults above. */
    public static final class Builder {
        private int numDeviceBlocks;
        private int pageSize = ConfigKeys.DEFAULT_PAGE_SIZE;
        private int deviceId;
        private int dtypeWidthBytes = LayoutConfig.DEFAULT_DTYPE_WIDTH_BYTES;
        private OptionalInt numLayers = OptionalInt.empty();
        private OptionalInt outerDim = OptionalInt.empty();
        private OptionalInt innerDim = OptionalInt.empty();
        private Optional<LayoutType> deviceLayoutType = Optional.empty();
        private LayoutType hostLayoutType = LayoutType.FULLY_CONTIGUOUS;
        private LayoutType diskLayoutType = LayoutType.FULLY_CONTIGUOUS;
        private OptionalInt rank = OptionalInt.empty();

        private Builder() {
        }

        public Builder numDeviceBlocks(int v) { numDeviceBlocks = v; return this; }

        public Builder pageSize(int v) { pageSize = v; return this; }

        public Builder deviceId(int v) { deviceId = v; return this; }

        public Builder dtypeWidthBytes(int v) { dtypeWidthBytes = v; return this; }

        public Builder numLayers(int v) { numLayers = OptionalInt.of(v); return this; }

        public Builder outerDim(int v) { outerDim = OptionalInt.of(v); return this; }

        public Builder innerDim(int v) { innerDim = OptionalInt.of(v); return this; }

        public Builder deviceLayoutType(LayoutType v) { deviceLayoutType = Optional.ofNullable(v); return this; }

        public Builder hostLayoutType(LayoutType v) { hostLayoutType = v; return this; }

        public Builder diskLayoutType(LayoutType v) { diskLayoutType = v; return this; }

        public Builder rank(int v) { rank = OptionalInt.of(v); return this; }

        public KvbmWorkerConfig build() {
            return new KvbmWorkerConfig(numDeviceBlocks, pageSize, deviceId, dtypeWidthBytes, numLayers, outerDim,
                    innerDim, deviceLayoutType, hostLayoutType, diskLayoutType, rank);
        }
    }
}
