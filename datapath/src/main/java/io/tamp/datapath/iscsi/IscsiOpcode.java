package io.tamp.datapath.iscsi;

/**
 * iSCSI PDU opcodes (RFC 7143 §11.2.1.2): the low six bits of BHS byte 0.
 *
 * <p>Initiator opcodes are 0x00-0x1f, target opcodes 0x20-0x3f.
 */
public enum IscsiOpcode {
    NOP_OUT(0x00),
    SCSI_COMMAND(0x01),
    TASK_MGMT_REQUEST(0x02),
    LOGIN_REQUEST(0x03),
    TEXT_REQUEST(0x04),
    SCSI_DATA_OUT(0x05),
    LOGOUT_REQUEST(0x06),
    SNACK_REQUEST(0x10),

    NOP_IN(0x20),
    SCSI_RESPONSE(0x21),
    TASK_MGMT_RESPONSE(0x22),
    LOGIN_RESPONSE(0x23),
    TEXT_RESPONSE(0x24),
    SCSI_DATA_IN(0x25),
    LOGOUT_RESPONSE(0x26),
    R2T(0x31),
    ASYNC_MESSAGE(0x32),
    REJECT(0x3f);

    /** Mask of the opcode bits in BHS byte 0. */
    public static final int MASK = 0x3f;

    private static final IscsiOpcode[] BY_VALUE = new IscsiOpcode[MASK + 1];

    static {
        for (IscsiOpcode op : values()) {
            BY_VALUE[op.value] = op;
        }
    }

    private final byte value;

    IscsiOpcode(int value) {
        this.value = (byte) value;
    }

    /** The six-bit wire value. */
    public byte value() {
        return value;
    }

    /** True for opcodes an initiator sends (0x00-0x1f). */
    public boolean isInitiatorOpcode() {
        return (value & 0x20) == 0;
    }

    /**
     * The opcode whose value is {@code value & 0x3f}, or {@code null} when RFC 7143 assigns
     * none (the caller rejects the PDU as "Command not supported").
     */
    public static IscsiOpcode lookup(int value) {
        return BY_VALUE[value & MASK];
    }
}
