package io.tamp.datapath.iscsi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.tamp.datapath.frontend.SocketPipe;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * A blocking initiator over a real TCP connection: our own encoder and decoder in
 * EmbeddedChannels turn PDUs into bytes and back; the bytes go over a socket to an
 * {@link IscsiServer}. Lets a test misbehave on the wire (cut a Data-Out short, send garbage)
 * while another session carries on.
 */
final class SocketInitiator implements AutoCloseable {
    private final IscsiPduEncoder encoder = new IscsiPduEncoder();
    private final IscsiPduDecoder decoder = new IscsiPduDecoder();
    private final SocketPipe pipe;
    final Socket socket;
    private final long isid;
    int cmdSn = 1;
    int expStatSn;
    private int itt = 0x10;

    SocketInitiator(int port, long isid) throws IOException {
        pipe = new SocketPipe(port, encoder, decoder);
        socket = pipe.socket;
        this.isid = isid;
    }

    int nextItt() {
        return ++itt;
    }

    void send(IscsiPdu pdu) throws IOException {
        pipe.send(pdu);
    }

    /** Sends the PDUs in one TCP write. */
    void sendTogether(IscsiPdu... pdus) throws IOException {
        pipe.sendTogether((Object[]) pdus);
    }

    void sendRaw(byte[] bytes) throws IOException {
        pipe.sendRaw(bytes);
    }

    /** The next PDU from the target; null when the target closed the connection. */
    IscsiPdu receive() throws IOException {
        IscsiPdu p = (IscsiPdu) pipe.receive();
        if (p != null && (p.opcode() != IscsiOpcode.SCSI_DATA_IN || p.bhs().statusFlag())) {
            expStatSn = p.bhs().statSn() + 1;
        }
        return p;
    }

    /** True when the target closes the connection within the socket timeout (PDUs before that are dropped). */
    boolean closedByTarget() throws IOException {
        try {
            IscsiPdu p;
            while ((p = receive()) != null) {
                p.release();
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    /** Logs in with AuthMethod None, no digests, InitialR2T=Yes and ImmediateData=No. */
    void login(String initiatorName) throws IOException, IscsiTextException {
        login(initiatorName, IscsiTargetConfig.DEFAULT_TARGET_NAME);
    }

    /** The same, asking for targetName. */
    void login(String initiatorName, String targetName) throws IOException, IscsiTextException {
        TextParameters security = new TextParameters().add("InitiatorName", initiatorName).add("SessionType", "Normal")
                .add("TargetName", targetName).add("AuthMethod", "None");
        expectLoginSuccess(loginStep(0, 1, security));
        TextParameters operational = new TextParameters().add("HeaderDigest", "None").add("DataDigest", "None")
                .add("InitialR2T", "Yes").add("ImmediateData", "No").add("MaxRecvDataSegmentLength", "65536");
        IscsiPdu last = loginStep(1, 3, operational);
        String targetMaxRecv = last.opcode() == IscsiOpcode.LOGIN_RESPONSE
                ? TextParameters.parse(last.data()).get("MaxRecvDataSegmentLength") : null;
        expectLoginSuccess(last);
        if (targetMaxRecv != null) {
            encoder.setMaxSendDataSegmentLength(Integer.parseInt(targetMaxRecv));
        }
        decoder.setMaxRecvDataSegmentLength(65536);
    }

    private IscsiPdu loginStep(int csg, int nsg, TextParameters text) throws IOException {
        ByteBuf data = Unpooled.buffer(text.encodedLength());
        text.writeTo(data);
        IscsiPdu pdu = IscsiPdu.create(UnpooledByteBufAllocator.DEFAULT, IscsiOpcode.LOGIN_REQUEST, data);
        pdu.bhs().immediate(true).transit(true).csg(csg).nsg(nsg).isid(isid).initiatorTaskTag(itt)
                .cmdSn(cmdSn).expStatSn(expStatSn);
        send(pdu);
        return receive();
    }

    private static void expectLoginSuccess(IscsiPdu response) {
        try {
            assertEquals(IscsiOpcode.LOGIN_RESPONSE, response.opcode());
            assertEquals(0, response.bhs().statusClass(), "login refused");
        } finally {
            response.release();
        }
    }

    /** A SCSI command PDU (no immediate data). */
    IscsiPdu command(byte[] cdb, boolean read, boolean write, int expectedBytes) {
        IscsiPdu pdu = IscsiPdu.create(UnpooledByteBufAllocator.DEFAULT, IscsiOpcode.SCSI_COMMAND);
        int flags = Bhs.FINAL_FLAG | (read ? Bhs.READ_FLAG : 0) | (write ? Bhs.WRITE_FLAG : 0) | 1;
        pdu.bhs().flags(flags).lun(SamLun.encode(0)).initiatorTaskTag(nextItt())
                .expectedDataTransferLength(expectedBytes).cmdSn(cmdSn++).expStatSn(expStatSn).cdb(cdb);
        return pdu;
    }

    IscsiPdu dataOut(IscsiPdu r2t, int dataSn, int offset, byte[] data, int from, int length, boolean last) {
        IscsiPdu pdu = IscsiPdu.create(UnpooledByteBufAllocator.DEFAULT, IscsiOpcode.SCSI_DATA_OUT,
                Unpooled.wrappedBuffer(data, from, length));
        pdu.bhs().finalFlag(last).lun(SamLun.encode(0)).initiatorTaskTag(r2t.bhs().initiatorTaskTag())
                .targetTransferTag(r2t.bhs().targetTransferTag()).dataSn(dataSn).bufferOffset(offset)
                .expStatSn(expStatSn);
        return pdu;
    }

    /** The outcome of one SCSI command: status, sense (or null), data-in. */
    record ScsiResult(int status, byte[] sense, byte[] data) {
        /** Sense key / ASC / ASCQ as one number 0xKKAAQQ, or -1 without sense. */
        int senseCode() {
            return sense == null ? -1 : (sense[2] & 0x0F) << 16 | (sense[12] & 0xFF) << 8 | (sense[13] & 0xFF);
        }
    }

    /**
     * Runs one command to completion: data-out answers R2Ts (InitialR2T=Yes, no immediate data),
     * data-in is gathered from Data-In PDUs, status from the SCSI Response or the final Data-In.
     */
    ScsiResult execute(byte[] cdb, byte[] dataOut, int dataInBytes) throws IOException {
        boolean write = dataOut != null && dataOut.length > 0;
        send(command(cdb, dataInBytes > 0, write, write ? dataOut.length : dataInBytes));
        java.io.ByteArrayOutputStream in = new java.io.ByteArrayOutputStream();
        while (true) {
            IscsiPdu p = receive();
            if (p == null) {
                throw new IOException("connection closed");
            }
            try {
                switch (p.opcode()) {
                    case R2T -> {
                        int offset = p.bhs().bufferOffset();
                        int length = p.bhs().desiredDataTransferLength();
                        int sn = 0;
                        for (int at = offset; at < offset + length; at += 32768) {
                            int n = Math.min(32768, offset + length - at);
                            send(dataOut(p, sn++, at, dataOut, at, n, at + n == offset + length));
                        }
                    }
                    case SCSI_DATA_IN -> {
                        byte[] chunk = new byte[p.data().readableBytes()];
                        p.data().readBytes(chunk);
                        in.write(chunk);
                        if (p.bhs().statusFlag()) {
                            return new ScsiResult(p.bhs().status(), null, in.toByteArray());
                        }
                    }
                    case SCSI_RESPONSE -> {
                        byte[] sense = null;
                        if (p.data().readableBytes() > 2) {
                            int len = p.data().getUnsignedShort(p.data().readerIndex());
                            sense = new byte[len];
                            p.data().getBytes(p.data().readerIndex() + 2, sense);
                        }
                        return new ScsiResult(p.bhs().status(), sense, in.toByteArray());
                    }
                    default -> throw new IOException("unexpected " + p.opcode());
                }
            } finally {
                p.release();
            }
        }
    }

    @Override
    public void close() throws IOException {
        pipe.close();
    }
}
