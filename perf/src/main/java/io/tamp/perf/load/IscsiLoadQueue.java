package io.tamp.perf.load;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.tamp.datapath.iscsi.IscsiTextException;
import io.tamp.datapath.iscsi.TextParameters;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One iSCSI session of one connection (RFC 7143; big endian): login with AuthMethod=None and no
 * digests, then READ(16)/WRITE(16) with the write data sent as immediate data (F bit set, so no
 * unsolicited Data-Out follows) up to min(FirstBurstLength, the target's
 * MaxRecvDataSegmentLength); anything beyond that the target asks for with R2Ts, answered with
 * Data-Out. Commands respect the CmdSN window (MaxCmdSN). Read data arrives in Data-In; status
 * in the last Data-In (S bit) or a SCSI Response. NOP-Ins that want an answer get a NOP-Out.
 * ITT = slot; synchronous set-up commands use ITT {@value #SYNC_ITT}.
 */
final class IscsiLoadQueue extends LoadQueue {
    static final int SYNC_ITT = 0x7FFF0000;
    static final int LOGIN_ITT = 0x7FFF0001;
    static final int LOGOUT_ITT = 0x7FFF0002;
    static final int NOP_OUT = 0x00, SCSI_CMD = 0x01, LOGIN_REQ = 0x03, DATA_OUT = 0x05, LOGOUT_REQ = 0x06;
    static final int NOP_IN = 0x20, SCSI_RESP = 0x21, LOGIN_RESP = 0x23, DATA_IN = 0x25, LOGOUT_RESP = 0x26,
            R2T = 0x31, ASYNC = 0x32, REJECT = 0x3F;

    private final byte[] hdr = new byte[48];
    private final ByteBuffer h = ByteBuffer.wrap(hdr);
    private final byte[] lun = new byte[8];
    int cmdSn = 1; // writer-owned once the load runs
    volatile int cmdSnSeen = 1;
    volatile int expStatSn;
    volatile int maxCmdSn;
    int targetMaxRecv = 8192;
    int firstBurst = 65536;
    boolean immediateData;
    int immediateMax;
    int blockBytes = 512;
    final Map<String, String> negotiated = new LinkedHashMap<>();
    private byte[] syncOut;
    private byte[] syncSense;
    private volatile boolean loggedOut;

    IscsiLoadQueue(int index, String host, int port, int qd, int lunNumber) throws IOException {
        super(index, host, port, qd);
        if (lunNumber < 0 || lunNumber > 255) {
            throw new IllegalArgumentException("--lun 0..255");
        }
        lun[1] = (byte) lunNumber;
    }

    /** Login key=value text, encoded as the target's own codec encodes it. */
    private static byte[] text(Map<String, String> kv) throws IOException {
        try {
            TextParameters t = new TextParameters();
            for (Map.Entry<String, String> e : kv.entrySet()) {
                t.add(e.getKey(), e.getValue());
            }
            ByteBuf b = Unpooled.buffer(t.encodedLength());
            t.writeTo(b);
            return ByteBufUtil.getBytes(b);
        } catch (IscsiTextException e) {
            throw new IOException("login text: " + e.getMessage(), e);
        }
    }

    private static Map<String, String> parse(byte[] b, int n) throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        try {
            for (TextParameters.Entry e : TextParameters.parse(Arrays.copyOf(b, n))) {
                m.put(e.key(), e.value());
            }
        } catch (IscsiTextException e) {
            throw new IOException("login response text: " + e.getMessage(), e);
        }
        return m;
    }

    private static int pad(int n) {
        return (n + 3) & ~3;
    }

    /** Leading login: security stage, then operational negotiation, to full feature phase. */
    void login(String initiatorName, String targetName, long isidQualifier) throws IOException {
        Map<String, String> sec = new LinkedHashMap<>();
        sec.put("InitiatorName", initiatorName);
        sec.put("SessionType", "Normal");
        sec.put("TargetName", targetName);
        sec.put("AuthMethod", "None");
        Map<String, String> r = loginStep(0, 1, sec, isidQualifier);
        negotiated.putAll(r);
        int stage = hdr[1] & 0x03;
        boolean transit = (hdr[1] & 0x80) != 0;
        if (!(transit && stage == 1)) {
            throw new IOException("login: the target did not move to the operational stage: flags 0x"
                    + Integer.toHexString(hdr[1] & 0xFF) + " keys " + r);
        }
        Map<String, String> op = new LinkedHashMap<>();
        op.put("HeaderDigest", "None");
        op.put("DataDigest", "None");
        op.put("InitialR2T", "No");
        op.put("ImmediateData", "Yes");
        op.put("MaxRecvDataSegmentLength", "262144");
        op.put("FirstBurstLength", "262144");
        op.put("MaxBurstLength", "1048576");
        op.put("MaxConnections", "1");
        op.put("ErrorRecoveryLevel", "0");
        op.put("MaxOutstandingR2T", "1");
        op.put("DataPDUInOrder", "Yes");
        op.put("DataSequenceInOrder", "Yes");
        for (int round = 0; ; round++) {
            r = loginStep(1, 3, round == 0 ? op : Map.of(), isidQualifier);
            negotiated.putAll(r);
            if ((hdr[1] & 0x80) != 0 && (hdr[1] & 0x03) == 3) {
                break;
            }
            if (round >= 4) {
                throw new IOException("login: no full feature phase after 5 operational rounds; last keys " + r);
            }
        }
        targetMaxRecv = Integer.parseInt(negotiated.getOrDefault("MaxRecvDataSegmentLength", "8192"));
        firstBurst = Integer.parseInt(negotiated.getOrDefault("FirstBurstLength", "65536"));
        immediateData = "Yes".equals(negotiated.getOrDefault("ImmediateData", "Yes"));
        immediateMax = immediateData ? Math.min(firstBurst, targetMaxRecv) : 0;
        if (!"None".equals(negotiated.getOrDefault("HeaderDigest", "None"))
                || !"None".equals(negotiated.getOrDefault("DataDigest", "None"))) {
            throw new IOException("login: the target wants digests: " + negotiated);
        }
    }

    private Map<String, String> loginStep(int csg, int nsg, Map<String, String> kv, long isidQualifier)
            throws IOException {
        byte[] t = text(kv);
        byte[] pdu = new byte[48 + pad(t.length)];
        ByteBuffer b = ByteBuffer.wrap(pdu);
        b.put(0, (byte) (0x40 | LOGIN_REQ)).put(1, (byte) (0x80 | csg << 2 | nsg));
        b.putInt(4, t.length); // AHS length 0, DSL 24 bits
        // ISID: type 10b (random), then qualifier bytes
        b.put(8, (byte) 0x80).put(9, (byte) (isidQualifier >>> 32)).putInt(10, (int) isidQualifier);
        b.putShort(14, (short) 0); // TSIH 0: a new session
        b.putInt(16, LOGIN_ITT).putShort(20, (short) 0).putInt(24, cmdSn).putInt(28, expStatSn);
        System.arraycopy(t, 0, pdu, 48, t.length);
        out.write(pdu);
        in.readFully(hdr);
        lastPdu = hex(hdr, 48);
        int opcode = hdr[0] & 0x3F;
        int dsl = h.getInt(4) & 0xFFFFFF;
        byte[] d = new byte[pad(dsl)];
        in.readFully(d);
        if (opcode != LOGIN_RESP) {
            throw new IOException("login: expected a Login Response, got opcode 0x" + Integer.toHexString(opcode)
                    + ": " + lastPdu);
        }
        int cls = hdr[36] & 0xFF;
        int detail = hdr[37] & 0xFF;
        if (cls != 0) {
            throw new IOException(String.format("login refused: status class %d detail %d (%s)", cls, detail,
                    new String(d, 0, dsl, StandardCharsets.UTF_8).replace('\0', ' ')));
        }
        expStatSn = h.getInt(24) + 1;
        maxCmdSn = h.getInt(32);
        return parse(d, dsl);
    }

    // ---- SCSI commands ----

    private void command(byte[] pduBuf, int at, int itt, byte[] cdb, boolean read, boolean write, int edtl,
            byte[] imm, int immLen) {
        ByteBuffer b = ByteBuffer.wrap(pduBuf);
        java.util.Arrays.fill(pduBuf, at, at + 48, (byte) 0);
        b.put(at, (byte) SCSI_CMD).put(at + 1, (byte) (0x80 | (read ? 0x40 : 0) | (write ? 0x20 : 0) | 1));
        b.putInt(at + 4, immLen);
        System.arraycopy(lun, 0, pduBuf, at + 8, 8);
        b.putInt(at + 16, itt).putInt(at + 20, edtl).putInt(at + 24, cmdSn++).putInt(at + 28, expStatSn);
        System.arraycopy(cdb, 0, pduBuf, at + 32, cdb.length);
        if (immLen > 0) {
            System.arraycopy(imm, 0, pduBuf, at + 48, immLen);
        }
        cmdSnSeen = cmdSn;
    }

    /** Runs one command synchronously; returns the data in (or null); throws on a non-GOOD status. */
    byte[] executeSync(byte[] cdb, byte[] dataOut, int dataInBytes) throws IOException {
        boolean write = dataOut != null;
        int imm = write ? Math.min(dataOut.length, immediateMax) : 0;
        byte[] pdu = new byte[48 + pad(imm)];
        command(pdu, 0, SYNC_ITT, cdb, dataInBytes > 0, write, write ? dataOut.length : dataInBytes, dataOut, imm);
        syncOut = dataOut;
        syncData = dataInBytes > 0 ? new byte[dataInBytes] : null;
        syncDataLen = 0;
        syncSense = null;
        synchronized (outLock) {
            out.write(pdu);
        }
        awaitSync();
        if (!syncOk) {
            throw new IOException(String.format("CDB %02x failed: %s", cdb[0] & 0xFF, syncError));
        }
        return syncData;
    }

    /** TEST UNIT READY until GOOD (a fresh session may first see a unit attention), READ CAPACITY(16). */
    long bringUp() throws IOException {
        IOException last = null;
        for (int i = 0; i < 5; i++) {
            try {
                executeSync(new byte[6], null, 0);
                last = null;
                break;
            } catch (IOException e) {
                last = e;
            }
        }
        if (last != null) {
            throw last;
        }
        byte[] cdb = new byte[16];
        cdb[0] = (byte) 0x9E;
        cdb[1] = 0x10;
        cdb[13] = 32;
        ByteBuffer rc = ByteBuffer.wrap(executeSync(cdb, null, 32));
        long lastLba = rc.getLong(0);
        blockBytes = rc.getInt(8);
        return (lastLba + 1) * blockBytes;
    }

    @Override
    int maxEncodedBytes() {
        return 48 + (workload.write ? pad(Math.min(workload.bs, immediateMax)) : 0);
    }

    @Override
    boolean windowOpen() {
        return cmdSn - maxCmdSn <= 0;
    }

    private final byte[] cdb = new byte[16];

    @Override
    void encode(int slot) {
        boolean write = isWrite[slot];
        int bs = workload.bs;
        ByteBuffer c = ByteBuffer.wrap(cdb);
        c.put(0, (byte) (write ? 0x8A : 0x88)).put(1, (byte) 0).putLong(2, offset[slot] / blockBytes)
                .putInt(10, bs / blockBytes).put(14, (byte) 0).put(15, (byte) 0);
        int imm = write ? Math.min(bs, immediateMax) : 0;
        command(sendBuf, sendLen, slot, cdb, !write, write, bs, data[slot], imm);
        sendLen += 48 + pad(imm);
    }

    private int slotOf(int itt) throws IOException {
        if (itt == SYNC_ITT) {
            return SYNC;
        }
        if (itt < 0 || itt >= qd) {
            throw new IOException("queue " + index + ": PDU for ITT 0x" + Integer.toHexString(itt)
                    + " we never sent: " + lastPdu);
        }
        return itt;
    }

    private void window() {
        int max = h.getInt(32);
        int exp = h.getInt(28);
        // MaxCmdSN = ExpCmdSN - 1 closes the window; ignore values that are not newer
        if (max - maxCmdSn > 0 && max - exp >= -1) {
            maxCmdSn = max;
        }
    }

    @Override
    void readPdu() throws IOException {
        in.readFully(hdr);
        lastPdu = hex(hdr, 48);
        int opcode = hdr[0] & 0x3F;
        int ahs = (hdr[4] & 0xFF) * 4;
        int dsl = h.getInt(4) & 0xFFFFFF;
        if (ahs > 0) {
            payload(Integer.MIN_VALUE, 0, ahs);
        }
        int itt = h.getInt(16);
        switch (opcode) {
            case DATA_IN -> {
                int slot = slotOf(itt);
                int bufferOffset = h.getInt(40);
                payload(slot, bufferOffset, dsl);
                payload(Integer.MIN_VALUE, 0, pad(dsl) - dsl);
                window();
                if ((hdr[1] & 0x01) != 0) {
                    expStatSn = h.getInt(24) + 1;
                    int status = hdr[3] & 0xFF;
                    complete(slot, status == 0 ? null : String.format("SCSI status 0x%02x in Data-In %s", status, lastPdu));
                }
            }
            case SCSI_RESP -> {
                int slot = slotOf(itt);
                byte[] d = new byte[pad(dsl)];
                in.readFully(d);
                window();
                expStatSn = h.getInt(24) + 1;
                int response = hdr[2] & 0xFF;
                int status = hdr[3] & 0xFF;
                String error = null;
                if (response != 0 || status != 0) {
                    String sense = "";
                    if (dsl >= 2) {
                        int len = (d[0] & 0xFF) << 8 | (d[1] & 0xFF);
                        if (len >= 14 && dsl >= 2 + len) {
                            sense = String.format(" sense key 0x%x ASC/ASCQ 0x%02x/0x%02x", d[4] & 0x0F, d[14] & 0xFF,
                                    d[15] & 0xFF);
                            if ((d[2] & 0x7F) == 0x72 || (d[2] & 0x7F) == 0x73) { // descriptor format
                                sense = String.format(" sense key 0x%x ASC/ASCQ 0x%02x/0x%02x", d[3] & 0x0F,
                                        d[4] & 0xFF, d[5] & 0xFF);
                            }
                        }
                    }
                    error = String.format("response 0x%02x status 0x%02x%s; header %s", response, status, sense, lastPdu);
                }
                complete(slot, error);
            }
            case R2T -> {
                payload(Integer.MIN_VALUE, 0, pad(dsl));
                window();
                int slot = slotOf(itt);
                int ttt = h.getInt(20);
                int offset = h.getInt(40);
                int length = h.getInt(44);
                byte[] d = slot == SYNC ? syncOut : data[slot];
                if (d == null || offset < 0 || length <= 0 || offset + length > d.length) {
                    throw new IOException("queue " + index + ": R2T out of range: " + lastPdu);
                }
                dataOut(itt, ttt, d, offset, length);
            }
            case NOP_IN -> {
                payload(Integer.MIN_VALUE, 0, pad(dsl));
                window();
                int ttt = h.getInt(20);
                if (itt != -1) {
                    expStatSn = h.getInt(24) + 1;
                }
                if (ttt != -1) {
                    nopOut(ttt);
                }
            }
            case ASYNC -> {
                byte[] d = new byte[pad(dsl)];
                in.readFully(d);
                window();
                expStatSn = h.getInt(24) + 1;
                System.err.printf("queue %d: Async Message event %d: %s%n", index, hdr[36] & 0xFF, lastPdu);
            }
            case LOGOUT_RESP -> {
                payload(Integer.MIN_VALUE, 0, pad(dsl));
                expStatSn = h.getInt(24) + 1;
                loggedOut = true;
            }
            case REJECT -> {
                byte[] d = new byte[pad(dsl)];
                in.readFully(d);
                throw new IOException(String.format("queue %d: Reject reason 0x%02x: %s; rejected header %s", index,
                        hdr[2] & 0xFF, lastPdu, hex(d, Math.min(dsl, 48))));
            }
            default -> throw new IOException("queue " + index + ": unexpected opcode 0x" + Integer.toHexString(opcode)
                    + ": " + lastPdu);
        }
    }

    private void dataOut(int itt, int ttt, byte[] d, int from, int length) throws IOException {
        int chunk = Math.max(512, targetMaxRecv);
        synchronized (outLock) {
            ByteArrayOutputStream o = new ByteArrayOutputStream(length + 64 * (length / chunk + 1));
            int sn = 0;
            for (int at = from; at < from + length; at += chunk) {
                int n = Math.min(chunk, from + length - at);
                byte[] bh = new byte[48];
                ByteBuffer b = ByteBuffer.wrap(bh);
                b.put(0, (byte) DATA_OUT).put(1, (byte) (at + n == from + length ? 0x80 : 0)).putInt(4, n);
                System.arraycopy(lun, 0, bh, 8, 8);
                b.putInt(16, itt).putInt(20, ttt).putInt(28, expStatSn).putInt(36, sn++).putInt(40, at);
                o.write(bh);
                o.write(d, at, n);
                o.write(new byte[pad(n) - n]);
            }
            o.writeTo(out);
        }
    }

    private void nopOut(int ttt) throws IOException {
        byte[] b = new byte[48];
        ByteBuffer bb = ByteBuffer.wrap(b);
        bb.put(0, (byte) (0x40 | NOP_OUT)).put(1, (byte) 0x80);
        System.arraycopy(hdr, 8, b, 8, 8);
        bb.putInt(16, -1).putInt(20, ttt).putInt(24, cmdSnSeen).putInt(28, expStatSn);
        synchronized (outLock) {
            out.write(b);
        }
    }

    @Override
    void goodbye() {
        try {
            byte[] b = new byte[48];
            ByteBuffer bb = ByteBuffer.wrap(b);
            bb.put(0, (byte) (0x40 | LOGOUT_REQ)).put(1, (byte) 0x80);
            bb.putInt(16, LOGOUT_ITT).putInt(24, cmdSnSeen).putInt(28, expStatSn);
            synchronized (outLock) {
                out.write(b);
            }
            long deadline = System.nanoTime() + 2_000_000_000L;
            while (!loggedOut && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            if (!loggedOut) {
                System.err.printf("queue %d: no Logout Response within 2 s%n", index);
            }
        } catch (IOException e) {
            System.err.printf("queue %d: logout failed: %s%n", index, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
