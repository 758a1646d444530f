/**
 * What the host-facing frontends (iSCSI, NVMe/TCP) share and nothing protocol-specific:
 * which host sees which volume at which number ({@link io.tamp.datapath.frontend.LunMap}),
 * and what host I/O each volume sees over each protocol ({@link io.tamp.datapath.frontend.IoMetrics}).
 */
package io.tamp.datapath.frontend;
