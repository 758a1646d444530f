/**
 * What the host-facing frontends (iSCSI, NVMe/TCP) share and nothing protocol-specific:
 * which host sees which volume at which number ({@link io.tamp.datapath.frontend.LunMap}).
 */
package io.tamp.datapath.frontend;
