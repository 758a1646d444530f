/**
 * Benchmarks of the per-block data-reduction kernels (fingerprint, compression, checksum), one
 * class per kernel, plus {@link io.tamp.perf.reduce.KernelsBenchmark}, the write-path baseline.
 */
package io.tamp.perf.reduce;
