/**
 * Snapshots, clones, replication and drive redundancy. Empty until the protection issue lands;
 * the module exists so the reactor has the shape of ../shared/DESIGN.md from the start.
 */
package io.tamp.protection;
