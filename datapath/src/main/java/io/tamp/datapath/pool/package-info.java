/**
 * Pool devices: superblocks, segment layout and aligned positional I/O.
 *
 * <p>A pool is the bottom of the datapath: it knows devices and segments, nothing about
 * volumes or reduction. See {@link io.tamp.datapath.pool.Pool}.
 */
package io.tamp.datapath.pool;
