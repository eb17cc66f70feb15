package dev.kvbm.api.layout;

/**
 * One (block, layer, outer) page of a layout: {@code size} bytes at {@code offset} in storage
 * region {@code storageIndex}. The offset counts from the aligned start of that region, so a physical
 * address is {@code regionAddress + baseOffset + offset}.
 */
public record MemoryRegion(int storageIndex, long offset, long size) {
}
