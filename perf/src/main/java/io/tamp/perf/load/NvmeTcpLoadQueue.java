package io.tamp.perf.load;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * One NVMe/TCP queue (one connection) of a minimal host: ICReq/ICResp without digests, Fabrics
 * Connect, and for the admin queue Property Set/Get and Identify; Read and Write on I/O queues.
 * Write data travels in the capsule when it fits the controller's in-capsule limit (IOCCSZ),
 * else answers R2Ts with H2CData PDUs of at most MAXH2CDATA. Read data arrives in C2HData; the
 * command completes with the response capsule, or with the C2HData SUCCESS flag when SQ flow
 * control is disabled. All fields little endian. CID = slot; synchronous set-up commands use
 * CID {@value #SYNC_CID}.
 */
final class NvmeTcpLoadQueue extends LoadQueue {
    static final int SYNC_CID = 0xFFF0;
    static final int IC_REQ = 0x00, IC_RESP = 0x01, H2C_TERM = 0x02, C2H_TERM = 0x03, CAPSULE_CMD = 0x04,
            CAPSULE_RESP = 0x05, H2C_DATA = 0x06, C2H_DATA = 0x07, R2T = 0x09;
    static final int FLAG_LAST_PDU = 0x04, FLAG_SUCCESS = 0x08;

    private final byte[] hdr = new byte[256];
    private final ByteBuffer h = ByteBuffer.wrap(hdr).order(ByteOrder.LITTLE_ENDIAN);
    int maxH2CData;
    int controllerId;
    int qid;
    int lbaBytes = 512;
    int nsid = 1;
    int inCapsuleMax = 0; // bytes of write data that may travel in the capsule
    private byte[] syncOut; // the synchronous command's data-out, for R2Ts

    NvmeTcpLoadQueue(int index, String host, int port, int qd) throws IOException {
        super(index, host, port, qd);
    }

    /** ICReq / ICResp. */
    void initialize() throws IOException {
        byte[] req = new byte[128];
        ByteBuffer b = ByteBuffer.wrap(req).order(ByteOrder.LITTLE_ENDIAN);
        b.put(0, (byte) IC_REQ).put(2, (byte) 128).putInt(4, 128);
        b.putShort(8, (short) 0).put(10, (byte) 0).put(11, (byte) 0).putInt(12, 0);
        out.write(req);
        int type = readHeader();
        if (type != IC_RESP) {
            throw new IOException("expected ICResp, got PDU type 0x" + Integer.toHexString(type) + ": " + lastPdu);
        }
        maxH2CData = h.getInt(12);
        if ((hdr[11] & 3) != 0) {
            throw new IOException("controller turned digests on: " + lastPdu);
        }
    }

    /** Reads a PDU's header (hlen bytes) into hdr; returns its type. */
    private int readHeader() throws IOException {
        in.readFully(hdr, 0, 8);
        int hlen = hdr[2] & 0xFF;
        if (hlen < 8 || hlen > hdr.length) {
            lastPdu = hex(hdr, 8);
            throw new IOException("bad HLEN " + hlen + " in PDU header " + lastPdu);
        }
        in.readFully(hdr, 8, hlen - 8);
        lastPdu = hex(hdr, Math.min(hlen, 24));
        return hdr[0] & 0xFF;
    }

    private ByteBuffer sqe(int opcode, int cid, int nsid) {
        ByteBuffer s = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        s.put(0, (byte) opcode).put(1, (byte) 0x40).putShort(2, (short) cid).putInt(4, nsid);
        return s;
    }

    private static void sgl(ByteBuffer sqe, int identifier, int length) {
        sqe.putLong(24, 0).putInt(32, length).put(39, (byte) identifier);
    }

    /** Writes one command capsule (with in-capsule data if given) synchronously and runs it. */
    private void executeSync(ByteBuffer sqe, byte[] dataOut, boolean inCapsule, int dataInBytes) throws IOException {
        byte[] capsuleData = null;
        if (dataOut != null) {
            sgl(sqe, inCapsule ? 0x01 : 0x5A, dataOut.length);
            capsuleData = inCapsule ? dataOut : null;
        } else if (dataInBytes > 0) {
            sgl(sqe, 0x5A, dataInBytes);
        }
        syncOut = dataOut;
        syncData = dataInBytes > 0 ? new byte[dataInBytes] : null;
        syncDataLen = 0;
        int dlen = capsuleData == null ? 0 : capsuleData.length;
        byte[] pdu = new byte[72 + dlen];
        ByteBuffer p = ByteBuffer.wrap(pdu).order(ByteOrder.LITTLE_ENDIAN);
        p.put(0, (byte) CAPSULE_CMD).put(2, (byte) 72).put(3, (byte) (dlen > 0 ? 72 : 0)).putInt(4, 72 + dlen);
        p.put(8, sqe.array(), 0, 64);
        if (dlen > 0) {
            System.arraycopy(capsuleData, 0, pdu, 72, dlen);
        }
        synchronized (outLock) {
            out.write(pdu);
        }
        awaitSync();
        if (!syncOk) {
            throw new IOException("opcode 0x" + Integer.toHexString(sqe.get(0) & 0xFF) + " fctype "
                    + (sqe.get(4) & 0xFF) + " failed: " + syncError);
        }
    }

    /** Fabrics Connect; returns the controller id. */
    int connect(int qid, int entries, int cntlid, String subnqn, String hostnqn, boolean disableSqFlow)
            throws IOException {
        ByteBuffer s = sqe(0x7F, SYNC_CID, 0);
        s.put(4, (byte) 0x01);
        s.putShort(40, (short) 0).putShort(42, (short) qid).putShort(44, (short) (entries - 1));
        s.put(46, (byte) (disableSqFlow ? 0x04 : 0)).putInt(48, 0);
        byte[] d = new byte[1024];
        d[16] = (byte) cntlid;
        d[17] = (byte) (cntlid >>> 8);
        byte[] sub = subnqn.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(sub, 0, d, 256, Math.min(sub.length, 255));
        byte[] host = hostnqn.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(host, 0, d, 512, Math.min(host.length, 255));
        executeSync(s, d, true, 0);
        this.qid = qid;
        this.controllerId = (int) (syncDw0 & 0xFFFF);
        return controllerId;
    }

    long propertyGet(int offset) throws IOException {
        ByteBuffer s = sqe(0x7F, SYNC_CID, 0);
        s.put(4, (byte) 0x04).put(40, (byte) 0).putInt(44, offset);
        executeSync(s, null, false, 0);
        return syncDw0;
    }

    void propertySet(int offset, long value) throws IOException {
        ByteBuffer s = sqe(0x7F, SYNC_CID, 0);
        s.put(4, (byte) 0x00).put(40, (byte) 0).putInt(44, offset).putLong(48, value);
        executeSync(s, null, false, 0);
    }

    byte[] identify(int cns, int nsid) throws IOException {
        ByteBuffer s = sqe(0x06, SYNC_CID, nsid);
        s.putInt(40, cns);
        executeSync(s, null, false, 4096);
        return syncData;
    }

    /**
     * Admin queue: connect, enable, wait for CSTS.RDY; Identify Controller (IOCCSZ, MDTS) and
     * Identify Namespace (size, LBA size). Returns {in-capsule bytes, LBA bytes, namespace bytes, MDTS bytes}.
     */
    long[] bringUp(String subnqn, String hostnqn, int nsid) throws IOException {
        initialize();
        connect(0, 32, 0xFFFF, subnqn, hostnqn, false);
        propertySet(0x14, 1 | 6 << 16 | 4 << 20);
        long deadline = System.nanoTime() + 15_000_000_000L;
        while ((propertyGet(0x1C) & 1) == 0) {
            if (System.nanoTime() > deadline) {
                throw new IOException("CSTS.RDY did not come up in 15 s");
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
        }
        ByteBuffer c = ByteBuffer.wrap(identify(1, 0)).order(ByteOrder.LITTLE_ENDIAN);
        long ioccsz = Integer.toUnsignedLong(c.getInt(1792)) * 16;
        int mdts = c.get(77) & 0xFF;
        long mdtsBytes = mdts == 0 ? Long.MAX_VALUE : (1L << mdts) * 4096;
        ByteBuffer n = ByteBuffer.wrap(identify(0, nsid)).order(ByteOrder.LITTLE_ENDIAN);
        long nsze = n.getLong(0);
        int flbas = n.get(26) & 0x0F;
        int lbads = n.get(128 + 4 * flbas + 2) & 0xFF;
        long lba = 1L << lbads;
        if (nsze == 0) {
            throw new IOException("namespace " + nsid + " is not there for " + hostnqn + " (NSZE 0)");
        }
        return new long[] {Math.max(0, ioccsz - 64), lba, nsze * lba, mdtsBytes}; // MDTS in 4 KiB pages (CAP.MPSMIN 0)
    }

    @Override
    int maxEncodedBytes() {
        return 72 + (workload.write && workload.bs <= inCapsuleMax ? workload.bs : 0);
    }

    @Override
    void encode(int slot) {
        ByteBuffer p = ByteBuffer.wrap(sendBuf, sendLen, 72).order(ByteOrder.LITTLE_ENDIAN);
        int at = sendLen;
        boolean write = isWrite[slot];
        int bs = workload.bs;
        boolean inCapsule = write && bs <= inCapsuleMax;
        int dlen = inCapsule ? bs : 0;
        java.util.Arrays.fill(sendBuf, at, at + 72, (byte) 0);
        p.put(at, (byte) CAPSULE_CMD).put(at + 2, (byte) 72).put(at + 3, (byte) (dlen > 0 ? 72 : 0))
                .putInt(at + 4, 72 + dlen);
        int s = at + 8;
        p.put(s, (byte) (write ? 0x01 : 0x02)).put(s + 1, (byte) 0x40).putShort(s + 2, (short) slot).putInt(s + 4, nsid);
        p.putLong(s + 24, 0).putInt(s + 32, bs).put(s + 39, (byte) (inCapsule ? 0x01 : 0x5A));
        p.putLong(s + 40, offset[slot] / lbaBytes).putInt(s + 48, bs / lbaBytes - 1);
        if (inCapsule) {
            System.arraycopy(data[slot], 0, sendBuf, at + 72, bs);
        }
        sendLen = at + 72 + dlen;
    }

    private int slotOf(int cid) throws IOException {
        if (cid == SYNC_CID) {
            return SYNC;
        }
        if (cid < 0 || cid >= qd) {
            throw new IOException("queue " + index + ": PDU for CID " + cid + " we never sent: " + lastPdu);
        }
        return cid;
    }

    @Override
    void readPdu() throws IOException {
        int type = readHeader();
        int hlen = hdr[2] & 0xFF;
        int pdo = hdr[3] & 0xFF;
        int plen = h.getInt(4);
        int flags = hdr[1] & 0xFF;
        int rest = plen - hlen;
        switch (type) {
            case CAPSULE_RESP -> {
                int cid = h.getShort(20) & 0xFFFF;
                int status = (h.getShort(22) & 0xFFFF) >>> 1;
                skip(rest);
                int slot = slotOf(cid);
                if (slot == SYNC) {
                    syncDw0 = Integer.toUnsignedLong(h.getInt(8));
                }
                complete(slot, status == 0 ? null : String.format("status 0x%x (SCT %d SC 0x%02x) in %s", status,
                        status >>> 8 & 7, status & 0xFF, lastPdu));
            }
            case C2H_DATA -> {
                int cid = h.getShort(8) & 0xFFFF;
                int datao = h.getInt(12);
                int datal = h.getInt(16);
                int slot = slotOf(cid);
                int pad = Math.max(0, pdo - hlen);
                skip(pad);
                if (datal != plen - Math.max(pdo, hlen)) {
                    throw new IOException("C2HData DATAL " + datal + " but PLEN " + plen + " PDO " + pdo + ": " + lastPdu);
                }
                payload(slot, datao, datal);
                if ((flags & FLAG_SUCCESS) != 0) {
                    complete(slot, null);
                }
            }
            case R2T -> {
                int cid = h.getShort(8) & 0xFFFF;
                int ttag = h.getShort(10) & 0xFFFF;
                int r2to = h.getInt(12);
                int r2tl = h.getInt(16);
                skip(rest);
                int slot = slotOf(cid);
                byte[] d = slot == SYNC ? syncOut : data[slot];
                if (d == null || r2to < 0 || r2tl <= 0 || r2to + r2tl > d.length) {
                    throw new IOException("R2T out of range for CID " + cid + ": " + lastPdu);
                }
                sendH2C(cid, ttag, d, r2to, r2tl);
            }
            case C2H_TERM -> {
                byte[] rest0 = new byte[Math.max(0, rest)];
                in.readFully(rest0);
                String fes = String.format("FES 0x%04x FEI 0x%08x", h.getShort(8) & 0xFFFF, h.getInt(10));
                throw new IOException("queue " + index + ": controller sent C2HTermReq " + fes + "; header "
                        + lastPdu + "; offending header " + hex(rest0, Math.min(rest0.length, 72)));
            }
            default -> throw new IOException("queue " + index + ": unexpected PDU type 0x" + Integer.toHexString(type)
                    + ": " + lastPdu);
        }
    }

    private void skip(int n) throws IOException {
        if (n > 0) {
            payload(Integer.MIN_VALUE, 0, n);
        }
    }

    private void sendH2C(int cid, int ttag, byte[] d, int from, int length) throws IOException {
        int chunk = maxH2CData > 0 ? maxH2CData : length;
        synchronized (outLock) {
            for (int at = from; at < from + length; at += chunk) {
                int n = Math.min(chunk, from + length - at);
                byte[] hd = new byte[24];
                ByteBuffer b = ByteBuffer.wrap(hd).order(ByteOrder.LITTLE_ENDIAN);
                b.put(0, (byte) H2C_DATA).put(1, (byte) (at + n == from + length ? FLAG_LAST_PDU : 0))
                        .put(2, (byte) 24).put(3, (byte) 24).putInt(4, 24 + n);
                b.putShort(8, (short) cid).putShort(10, (short) ttag).putInt(12, at).putInt(16, n);
                out.write(hd);
                out.write(d, at, n);
            }
        }
    }
}
