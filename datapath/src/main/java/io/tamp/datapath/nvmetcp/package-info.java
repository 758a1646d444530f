/**
 * The NVMe/TCP transport binding (NVMe Base 2.0 / NVMe TCP Transport 1.0): PDU framing with
 * header and data digests and PDU data alignment, ICReq/ICResp, command capsules with in-capsule
 * data, R2T + H2CData for writes, C2HData for reads, termination requests. One TCP connection
 * is one queue; the {@code nvme} package owns controllers, queues and commands.
 */
package io.tamp.datapath.nvmetcp;
