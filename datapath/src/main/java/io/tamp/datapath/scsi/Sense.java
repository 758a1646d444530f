package io.tamp.datapath.scsi;

import io.tamp.datapath.volume.IoStatus;

/**
 * One sense condition (sense key, additional sense code and qualifier) and the fixed-format sense
 * data that carries it (SPC-4 4.5.3):
 *
 * <pre>
 *  byte 0      VALID(7) | RESPONSE CODE 0x70 (current, fixed format)
 *  byte 1      obsolete
 *  byte 2      FILEMARK EOM ILI | SENSE KEY (3..0)
 *  bytes 3-6   INFORMATION (big-endian; meaningful when VALID = 1)
 *  byte 7      ADDITIONAL SENSE LENGTH = 10
 *  bytes 8-11  COMMAND-SPECIFIC INFORMATION
 *  byte 12     ADDITIONAL SENSE CODE
 *  byte 13     ADDITIONAL SENSE CODE QUALIFIER
 *  bytes 14-17 FRU code, sense-key specific
 * </pre>
 *
 * This is the only place an engine {@link IoStatus} becomes sense data.
 */
public record Sense(int key, int asc, int ascq) {
    public static final int LENGTH = 18;
    static final int RESPONSE_CODE_OFFSET = 0;
    static final int KEY_OFFSET = 2;
    static final int INFORMATION_OFFSET = 3;
    static final int ADDITIONAL_LENGTH_OFFSET = 7;
    static final int ASC_OFFSET = 12;
    static final int ASCQ_OFFSET = 13;
    private static final int CURRENT_FIXED = 0x70;
    private static final int VALID = 0x80;

    public static final int NO_SENSE_KEY = 0x00;
    public static final int NOT_READY_KEY = 0x02;
    public static final int MEDIUM_ERROR_KEY = 0x03;
    public static final int HARDWARE_ERROR_KEY = 0x04;
    public static final int ILLEGAL_REQUEST_KEY = 0x05;
    public static final int UNIT_ATTENTION_KEY = 0x06;
    public static final int DATA_PROTECT_KEY = 0x07;
    public static final int ABORTED_COMMAND_KEY = 0x0B;
    public static final int MISCOMPARE_KEY = 0x0E;

    public static final Sense NO_SENSE = new Sense(NO_SENSE_KEY, 0x00, 0x00);
    public static final Sense INVALID_COMMAND_OPERATION_CODE = new Sense(ILLEGAL_REQUEST_KEY, 0x20, 0x00);
    public static final Sense LBA_OUT_OF_RANGE = new Sense(ILLEGAL_REQUEST_KEY, 0x21, 0x00);
    public static final Sense INVALID_FIELD_IN_CDB = new Sense(ILLEGAL_REQUEST_KEY, 0x24, 0x00);
    public static final Sense LOGICAL_UNIT_NOT_SUPPORTED = new Sense(ILLEGAL_REQUEST_KEY, 0x25, 0x00);
    public static final Sense PARAMETER_LIST_LENGTH_ERROR = new Sense(ILLEGAL_REQUEST_KEY, 0x1A, 0x00);
    public static final Sense INVALID_FIELD_IN_PARAMETER_LIST = new Sense(ILLEGAL_REQUEST_KEY, 0x26, 0x00);
    public static final Sense INVALID_RELEASE_OF_PERSISTENT_RESERVATION = new Sense(ILLEGAL_REQUEST_KEY, 0x26, 0x04);
    public static final Sense SAVING_PARAMETERS_NOT_SUPPORTED = new Sense(ILLEGAL_REQUEST_KEY, 0x39, 0x00);
    public static final Sense UNRECOVERED_READ_ERROR = new Sense(MEDIUM_ERROR_KEY, 0x11, 0x00);
    public static final Sense MISCOMPARE_DURING_VERIFY = new Sense(MISCOMPARE_KEY, 0x1D, 0x00);
    public static final Sense SPACE_ALLOCATION_FAILED_WRITE_PROTECT = new Sense(DATA_PROTECT_KEY, 0x27, 0x07);
    public static final Sense WRITE_PROTECTED = new Sense(DATA_PROTECT_KEY, 0x27, 0x00);
    /** A write's data arrived damaged or out of sequence and ErrorRecoveryLevel 0 cannot ask again. */
    public static final Sense PROTOCOL_SERVICE_CRC_ERROR = new Sense(ABORTED_COMMAND_KEY, 0x47, 0x05);
    public static final Sense INTERNAL_TARGET_FAILURE = new Sense(HARDWARE_ERROR_KEY, 0x44, 0x00);
    public static final Sense POWER_ON_RESET = new Sense(UNIT_ATTENTION_KEY, 0x29, 0x00);
    public static final Sense CAPACITY_DATA_HAS_CHANGED = new Sense(UNIT_ATTENTION_KEY, 0x2A, 0x09);
    public static final Sense RESERVATIONS_PREEMPTED = new Sense(UNIT_ATTENTION_KEY, 0x2A, 0x03);
    public static final Sense RESERVATIONS_RELEASED = new Sense(UNIT_ATTENTION_KEY, 0x2A, 0x04);
    public static final Sense REGISTRATIONS_PREEMPTED = new Sense(UNIT_ATTENTION_KEY, 0x2A, 0x05);
    public static final Sense REPORTED_LUNS_DATA_HAS_CHANGED = new Sense(UNIT_ATTENTION_KEY, 0x3F, 0x0E);

    /** Fixed-format sense data without an INFORMATION field. */
    public byte[] bytes() {
        byte[] b = new byte[LENGTH];
        b[RESPONSE_CODE_OFFSET] = (byte) CURRENT_FIXED;
        b[KEY_OFFSET] = (byte) key;
        b[ADDITIONAL_LENGTH_OFFSET] = LENGTH - 8;
        b[ASC_OFFSET] = (byte) asc;
        b[ASCQ_OFFSET] = (byte) ascq;
        return b;
    }

    /** Fixed-format sense data with INFORMATION (e.g. failing LBA, miscompare offset); VALID only if it fits 32 bits. */
    public byte[] bytes(long information) {
        byte[] b = bytes();
        if (information >= 0 && information <= 0xFFFF_FFFFL) {
            b[RESPONSE_CODE_OFFSET] |= (byte) VALID;
            for (int i = 0; i < 4; i++) {
                b[INFORMATION_OFFSET + i] = (byte) (information >>> (24 - 8 * i));
            }
        }
        return b;
    }

    /** The sense for a failed engine operation; null for OK. */
    public static Sense of(IoStatus status) {
        return switch (status) {
            case OK -> null;
            case OUT_OF_RANGE -> LBA_OUT_OF_RANGE;
            case MISALIGNED -> INVALID_FIELD_IN_CDB;
            case MEDIUM_ERROR -> UNRECOVERED_READ_ERROR;
            case NO_SPACE -> SPACE_ALLOCATION_FAILED_WRITE_PROTECT;
            case NO_VOLUME -> LOGICAL_UNIT_NOT_SUPPORTED;
            case IO_ERROR -> INTERNAL_TARGET_FAILURE;
            case READ_ONLY -> WRITE_PROTECTED;
        };
    }

    /** The condition carried by fixed-format sense bytes. */
    public static Sense parse(byte[] sense) {
        return new Sense(sense[KEY_OFFSET] & 0x0F, sense[ASC_OFFSET] & 0xFF, sense[ASCQ_OFFSET] & 0xFF);
    }

    @Override
    public String toString() {
        return String.format("Sense[%02X/%02X/%02X]", key, asc, ascq);
    }
}
