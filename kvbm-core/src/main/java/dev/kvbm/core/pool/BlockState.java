package dev.kvbm.core.pool;

/**
 * The life of a block in a pool: {@code RESET} (free, no content) -> {@code PARTIAL} (being filled) ->
 * {@code COMPLETE} (full, hash known, not yet shared) -> {@code REGISTERED} (findable by its sequence
 * hash, shareable, evictable once nobody holds it).
 */
public enum BlockState {
    RESET, PARTIAL, COMPLETE, REGISTERED
}
