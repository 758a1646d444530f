package io.tamp.datapath.scsi;

import io.netty.buffer.ByteBuf;

/**
 * One SCSI command as a transport hands it to the command set: the I_T nexus it came from, the
 * LUN, the CDB and, for commands that carry data to the target, all of that data already collected
 * (the transport handles immediate data, unsolicited data and R2T/Data-Out before it calls
 * {@link ScsiTarget#execute}).
 *
 * @param initiatorPort          the initiator port name (iSCSI: "iqn...,i,0x&lt;ISID&gt;"), the nexus
 *                               identity reservations and unit attentions are kept for
 * @param initiatorName          the initiator node name (iSCSI InitiatorName): what LUN masking matches
 * @param lun                    the LUN number (the transport decodes the SAM LUN structure)
 * @param cdb                    6 to 16 bytes
 * @param expectedTransferLength bytes the initiator expects to move (iSCSI Expected Data Transfer Length)
 * @param dataOut                bytes sent by the initiator, or null; the target releases it
 * @param taskTag                the transport's tag, for task management (ABORT TASK)
 */
public record ScsiCommand(String initiatorPort, String initiatorName, long lun, byte[] cdb,
                          int expectedTransferLength, ByteBuf dataOut, long taskTag) {
}
