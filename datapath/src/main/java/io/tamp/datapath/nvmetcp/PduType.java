package io.tamp.datapath.nvmetcp;

/**
 * NVMe/TCP PDU types with the header length (HLEN) each must carry and whether the host may
 * send it. Every PDU starts with the 8-byte common header: PDU-TYPE, FLAGS, HLEN, PDO and
 * PLEN (little endian, like every NVMe/TCP field).
 */
public enum PduType {
    IC_REQ(0x00, 128, true),
    IC_RESP(0x01, 128, false),
    H2C_TERM_REQ(0x02, 24, true),
    C2H_TERM_REQ(0x03, 24, false),
    CAPSULE_CMD(0x04, 72, true),
    CAPSULE_RESP(0x05, 24, false),
    H2C_DATA(0x06, 24, true),
    C2H_DATA(0x07, 24, false),
    R2T(0x09, 24, false);

    /** Common header flags. */
    public static final int FLAG_HDGSTF = 0x01;
    public static final int FLAG_DDGSTF = 0x02;
    /** H2CData/C2HData: the last PDU of the transfer. */
    public static final int FLAG_LAST_PDU = 0x04;
    /** C2HData: the command succeeded; no CapsuleResp follows. */
    public static final int FLAG_SUCCESS = 0x08;
    public static final int COMMON_HEADER_BYTES = 8;
    public static final int DIGEST_BYTES = 4;

    private static final PduType[] BY_CODE = new PduType[16];

    static {
        for (PduType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    public final int code;
    public final int headerLength;
    public final boolean fromHost;

    PduType(int code, int headerLength, boolean fromHost) {
        this.code = code;
        this.headerLength = headerLength;
        this.fromHost = fromHost;
    }

    /** The type for a wire code, or null. */
    public static PduType of(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }

    /** Whether PDUs of this type may carry a data field (and so have PDO and the DDGSTF flag). */
    public boolean carriesData() {
        return this == CAPSULE_CMD || this == H2C_DATA || this == C2H_DATA || this == H2C_TERM_REQ
                || this == C2H_TERM_REQ;
    }

    /** Whether a header digest covers this type when digests are on (never ICReq/ICResp). */
    public boolean digested() {
        return this != IC_REQ && this != IC_RESP;
    }
}
