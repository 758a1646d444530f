/**
 * The NVMe command set over Tamp volumes, as an NVMe-oF subsystem (NVMe Base 2.0, NVM Command
 * Set 1.0, NVMe-oF 1.1 fabrics commands): controllers with their properties and state machine,
 * admin and I/O queues, Identify, logs, features, keep alive, asynchronous events, and the
 * discovery subsystem. Transports ({@code nvmetcp}) hand over submission queue entries and data
 * and never interpret commands. The only place an engine {@code IoStatus} becomes an NVMe status.
 */
package io.tamp.datapath.nvme;
