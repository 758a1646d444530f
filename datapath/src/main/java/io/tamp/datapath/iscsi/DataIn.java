package io.tamp.datapath.iscsi;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.tamp.datapath.scsi.ScsiResponse;

/**
 * Writes read data as SCSI Data-In PDUs (RFC 7143 §11.7): each at most the initiator's
 * MaxRecvDataSegmentLength, F set at the end of every MaxBurstLength sequence, DataSN
 * counting across sequences. Data segments are retained slices, never copies.
 */
final class DataIn {
    private DataIn() {
    }

    /**
     * Writes {@code sendBytes} from {@code data} (not released here, not flushed).
     *
     * @param statusResidual when not null the last PDU carries GOOD status (S bit) with this
     *                       residual (positive underflow, negative overflow) and advances StatSN
     * @return the number of Data-In PDUs written
     */
    static int write(ChannelHandlerContext ctx, IscsiConnectionHandler connection, ScsiTask task, ByteBuf data,
            int sendBytes, SessionParameters session, Integer statusResidual) {
        int maxSegment = session.initiatorMaxRecvDataSegment();
        int dataSn = 0;
        int sequenceLeft = session.maxBurstBytes();
        for (int offset = 0; offset < sendBytes; ) {
            int bytes = Math.min(Math.min(maxSegment, sequenceLeft), sendBytes - offset);
            boolean last = offset + bytes == sendBytes;
            sequenceLeft -= bytes;
            IscsiPdu pdu = IscsiPdu.create(ctx.alloc(), IscsiOpcode.SCSI_DATA_IN,
                    data.retainedSlice(data.readerIndex() + offset, bytes));
            pdu.bhs().finalFlag(last || sequenceLeft == 0).lun(task.lunField)
                    .initiatorTaskTag(task.initiatorTaskTag).targetTransferTag(IscsiConnectionHandler.RESERVED_TAG)
                    .dataSn(dataSn++).bufferOffset(offset);
            if (last && statusResidual != null) {
                pdu.bhs().statusFlag(true).status(ScsiResponse.GOOD).residual(statusResidual);
                connection.writeStatus(ctx, pdu);
            } else {
                connection.writeWithoutStatus(ctx, pdu);
            }
            if (sequenceLeft == 0) {
                sequenceLeft = session.maxBurstBytes();
            }
            offset += bytes;
        }
        return dataSn;
    }
}
