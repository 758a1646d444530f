/**
 * iSCSI transport (RFC 7143): PDU framing, digests and the text format of Login/Text data.
 *
 * <p>This package only frames bytes into {@link io.tamp.datapath.iscsi.IscsiPdu}s and back;
 * login negotiation and SCSI command handling sit on top of it and never see raw bytes.
 * A malformed PDU is never an exception: the decoder emits an
 * {@link io.tamp.datapath.iscsi.IscsiDecodeError} whose {@link
 * io.tamp.datapath.iscsi.IscsiDecodeError.Outcome} says whether to reject the PDU or drop
 * the connection.
 */
package io.tamp.datapath.iscsi;
