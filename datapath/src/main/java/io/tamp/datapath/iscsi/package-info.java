/**
 * iSCSI transport (RFC 7143), target side: PDU framing, digests and the text format of
 * Login/Text data; on top of that the session layer: {@link
 * io.tamp.datapath.iscsi.IscsiServer} (the portal), {@link
 * io.tamp.datapath.iscsi.IscsiConnectionHandler} (login, CmdSN window, Text, NOP, Logout,
 * Reject), {@code LoginNegotiator} (AuthMethod None/CHAP, operational keys) and {@code
 * ScsiCommandFlow} (R2T/Data-Out collection, Data-In, SCSI Response, task management),
 * which hands complete commands to a {@link io.tamp.datapath.scsi.ScsiTarget}.
 *
 * <p>The framing classes never see sessions, and the session classes never see raw bytes.
 * A malformed PDU is never an exception: the decoder emits an
 * {@link io.tamp.datapath.iscsi.IscsiDecodeError} whose {@link
 * io.tamp.datapath.iscsi.IscsiDecodeError.Outcome} says whether to reject the PDU or drop
 * the connection.
 */
package io.tamp.datapath.iscsi;
