/**
 * Fingerprint index of the deduplication engine: SHA-256 of a 4 KiB block to the id of the
 * extent that holds it. {@link io.tamp.metadata.fingerprint.FingerprintIndex} is the only type
 * the engine sees; the Chronicle Map implementation is persistent and memory-mapped so it serves
 * lookups right after a restart, and the in-memory one backs tests and the fallback path.
 */
package io.tamp.metadata.fingerprint;
