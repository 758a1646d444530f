/** Persistent maps of the engine: volume catalog, block maps, extent table, refcounts, fingerprint index. */
package io.tamp.metadata;
