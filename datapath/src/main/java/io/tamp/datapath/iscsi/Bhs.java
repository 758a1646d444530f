package io.tamp.datapath.iscsi;

import io.netty.buffer.ByteBuf;

/**
 * Flyweight over the 48-byte Basic Header Segment (RFC 7143 §11.2.1). Big endian, as all
 * iSCSI header fields are.
 *
 * <pre>
 * Byte/     0       |       1       |       2       |       3       |
 *    +---------------+---------------+---------------+---------------+
 *   0|.|I| Opcode    |F|  Opcode-specific fields                     |
 *    +---------------+---------------+---------------+---------------+
 *   4|TotalAHSLength | DataSegmentLength                             |
 *    +---------------+---------------+---------------+---------------+
 *   8| LUN or Opcode-specific fields                                 |
 *    +                                                               +
 *  12|                                                               |
 *    +---------------+---------------+---------------+---------------+
 *  16| Initiator Task Tag                                            |
 *    +---------------+---------------+---------------+---------------+
 *  20/ Opcode-specific fields                                        /
 *   +/                                                               /
 *    +---------------+---------------+---------------+---------------+
 *  48
 * </pre>
 *
 * Opcode-specific words, by offset (requests | responses):
 *
 * <pre>
 *  off  SCSI Cmd      Data-Out  Login Req   Text/NOP-Out  TMF Req     Logout Req
 *   1   F R W ATTR    F         T C CSG NSG F C (Text)    1 Function  1 ReasonCode
 *   2   -             -         Version-max -             -           -
 *   3   -             -         Version-min -             -           -
 *   8   LUN           LUN       ISID(6)     LUN           LUN         -
 *  14                           TSIH
 *  20   ExpDataXferLen TTT      CID(2)      TTT           RefTaskTag  CID(2)
 *  24   CmdSN         -         CmdSN       CmdSN         CmdSN       CmdSN
 *  28   ExpStatSN     ExpStatSN ExpStatSN   ExpStatSN     ExpStatSN   ExpStatSN
 *  32   CDB(16)       -         -           -             RefCmdSN    -
 *  36                 DataSN    -           -             ExpDataSN   -
 *  40                 BufferOff -           -             -           -
 *
 *  off  SCSI Resp     Data-In       R2T        Login Resp   Logout Resp  Reject
 *   1   1 o u O U     F A O U S     1          T C CSG NSG  1            1
 *   2   Response      -             -          Version-max  Response     Reason
 *   3   Status        Status        -          Version-act  -            -
 *   8   -             LUN           LUN        ISID/TSIH    -            -
 *  20   SNACK Tag     TTT           TTT        -            -            -
 *  24   StatSN        StatSN        StatSN     StatSN       StatSN       StatSN
 *  28   ExpCmdSN      ExpCmdSN      ExpCmdSN   ExpCmdSN     ExpCmdSN     ExpCmdSN
 *  32   MaxCmdSN      MaxCmdSN      MaxCmdSN   MaxCmdSN     MaxCmdSN     MaxCmdSN
 *  36   ExpDataSN     DataSN        R2TSN      StatusClass/Detail  -     DataSN/R2TSN
 *  40   BidiResidual  BufferOffset  BufferOff  -            Time2Wait/Time2Retain
 *  44   Residual      Residual      DesiredLen -            -            -
 * </pre>
 *
 * NOP-In, Text Response and Task Management Response carry StatSN, ExpCmdSN and MaxCmdSN at
 * 24/28/32 like the other responses; the Task Management Response code sits at byte 2.
 *
 * <p>The flyweight reads and writes the wrapped buffer in place at absolute indexes (it
 * never moves reader or writer index). It is not thread-safe and does not own the buffer.
 */
public final class Bhs {
    public static final int LENGTH = 48;

    public static final int OPCODE_OFFSET = 0;
    public static final int FLAGS_OFFSET = 1;
    public static final int TOTAL_AHS_LENGTH_OFFSET = 4;
    public static final int DATA_SEGMENT_LENGTH_OFFSET = 5;
    public static final int LUN_OFFSET = 8;
    public static final int INITIATOR_TASK_TAG_OFFSET = 16;

    public static final int EXPECTED_DATA_TRANSFER_LENGTH_OFFSET = 20;
    public static final int TARGET_TRANSFER_TAG_OFFSET = 20;
    public static final int REFERENCED_TASK_TAG_OFFSET = 20;
    public static final int SNACK_TAG_OFFSET = 20;
    public static final int CID_OFFSET = 20;
    public static final int CMD_SN_OFFSET = 24;
    public static final int STAT_SN_OFFSET = 24;
    public static final int EXP_STAT_SN_OFFSET = 28;
    public static final int EXP_CMD_SN_OFFSET = 28;
    public static final int MAX_CMD_SN_OFFSET = 32;
    public static final int REF_CMD_SN_OFFSET = 32;
    public static final int CDB_OFFSET = 32;
    public static final int DATA_SN_OFFSET = 36;
    public static final int R2T_SN_OFFSET = 36;
    public static final int EXP_DATA_SN_OFFSET = 36;
    public static final int BUFFER_OFFSET_OFFSET = 40;
    public static final int BIDI_READ_RESIDUAL_COUNT_OFFSET = 40;
    public static final int RESIDUAL_COUNT_OFFSET = 44;
    public static final int DESIRED_DATA_TRANSFER_LENGTH_OFFSET = 44;

    /** SCSI Response, Logout Response, Task Management Response: response code. */
    public static final int RESPONSE_OFFSET = 2;
    /** SCSI Response and Data-In (S bit set): SCSI status. */
    public static final int STATUS_OFFSET = 3;
    /** Reject: reason code. */
    public static final int REJECT_REASON_OFFSET = 2;

    public static final int VERSION_MAX_OFFSET = 2;
    public static final int VERSION_MIN_OFFSET = 3;
    public static final int VERSION_ACTIVE_OFFSET = 3;
    public static final int ISID_OFFSET = 8;
    public static final int ISID_LENGTH = 6;
    public static final int TSIH_OFFSET = 14;
    public static final int STATUS_CLASS_OFFSET = 36;
    public static final int STATUS_DETAIL_OFFSET = 37;
    public static final int TIME2WAIT_OFFSET = 40;
    public static final int TIME2RETAIN_OFFSET = 42;

    public static final int CDB_LENGTH = 16;
    public static final int LUN_LENGTH = 8;
    public static final int MAX_DATA_SEGMENT_LENGTH = (1 << 24) - 1;

    public static final int IMMEDIATE_FLAG = 0x40;
    public static final int FINAL_FLAG = 0x80;
    /** SCSI Command: the command reads (Data-In expected). */
    public static final int READ_FLAG = 0x40;
    /** SCSI Command: the command writes (Data-Out expected). */
    public static final int WRITE_FLAG = 0x20;
    public static final int TASK_ATTR_MASK = 0x07;
    /** Login Request/Response: Transit. */
    public static final int TRANSIT_FLAG = 0x80;
    /** Login and Text Request/Response: Continue. */
    public static final int CONTINUE_FLAG = 0x40;
    public static final int CSG_MASK = 0x0c;
    public static final int CSG_SHIFT = 2;
    public static final int NSG_MASK = 0x03;
    /** Task Management function and Logout reason code: low seven bits of byte 1. */
    public static final int FUNCTION_MASK = 0x7f;
    /** Data-In: the target acknowledges (A bit). */
    public static final int ACKNOWLEDGE_FLAG = 0x40;
    /** SCSI Response: bidirectional read residual overflow (o). */
    public static final int BIDI_OVERFLOW_FLAG = 0x10;
    /** SCSI Response: bidirectional read residual underflow (u). */
    public static final int BIDI_UNDERFLOW_FLAG = 0x08;
    /** SCSI Response and Data-In: residual overflow (O). */
    public static final int OVERFLOW_FLAG = 0x04;
    /** SCSI Response and Data-In: residual underflow (U). */
    public static final int UNDERFLOW_FLAG = 0x02;
    /** Data-In: the PDU carries status (S bit). */
    public static final int STATUS_FLAG = 0x01;

    private ByteBuf buffer;
    private int base;

    public Bhs() {
    }

    public Bhs(ByteBuf buffer) {
        wrap(buffer, 0);
    }

    /** Points the flyweight at the 48 bytes starting at absolute index {@code base}. */
    public Bhs wrap(ByteBuf buffer, int base) {
        if (base < 0 || buffer.capacity() - base < LENGTH) {
            throw new IllegalArgumentException("a BHS needs 48 bytes at index " + base);
        }
        this.buffer = buffer;
        this.base = base;
        return this;
    }

    public ByteBuf buffer() {
        return buffer;
    }

    // ---- common fields ----

    /** The opcode, or {@code null} when the six-bit value is unassigned. */
    public IscsiOpcode opcode() {
        return IscsiOpcode.lookup(opcodeValue());
    }

    public int opcodeValue() {
        return buffer.getByte(base + OPCODE_OFFSET) & IscsiOpcode.MASK;
    }

    /** Sets the opcode and clears the immediate bit and the reserved top bit. */
    public Bhs opcode(IscsiOpcode opcode) {
        buffer.setByte(base + OPCODE_OFFSET, opcode.value());
        return this;
    }

    public boolean immediate() {
        return (buffer.getByte(base + OPCODE_OFFSET) & IMMEDIATE_FLAG) != 0;
    }

    public Bhs immediate(boolean immediate) {
        return setBit(OPCODE_OFFSET, IMMEDIATE_FLAG, immediate);
    }

    /** Byte 1, whose meaning depends on the opcode. */
    public int flags() {
        return buffer.getUnsignedByte(base + FLAGS_OFFSET);
    }

    public Bhs flags(int flags) {
        buffer.setByte(base + FLAGS_OFFSET, flags);
        return this;
    }

    public boolean finalFlag() {
        return (flags() & FINAL_FLAG) != 0;
    }

    public Bhs finalFlag(boolean set) {
        return setBit(FLAGS_OFFSET, FINAL_FLAG, set);
    }

    /** Length of the additional header segments in 4-byte words. */
    public int totalAhsLength() {
        return buffer.getUnsignedByte(base + TOTAL_AHS_LENGTH_OFFSET);
    }

    public Bhs totalAhsLength(int words) {
        if (words < 0 || words > 255) {
            throw new IllegalArgumentException("TotalAHSLength " + words + " words");
        }
        buffer.setByte(base + TOTAL_AHS_LENGTH_OFFSET, words);
        return this;
    }

    /** Data segment length in bytes, excluding padding (24 bits). */
    public int dataSegmentLength() {
        return buffer.getUnsignedMedium(base + DATA_SEGMENT_LENGTH_OFFSET);
    }

    public Bhs dataSegmentLength(int bytes) {
        if (bytes < 0 || bytes > MAX_DATA_SEGMENT_LENGTH) {
            throw new IllegalArgumentException("DataSegmentLength " + bytes);
        }
        buffer.setMedium(base + DATA_SEGMENT_LENGTH_OFFSET, bytes);
        return this;
    }

    /** The 8-byte LUN field as one big-endian long (SAM LUN structure left intact). */
    public long lun() {
        return buffer.getLong(base + LUN_OFFSET);
    }

    public Bhs lun(long lun) {
        buffer.setLong(base + LUN_OFFSET, lun);
        return this;
    }

    public int initiatorTaskTag() {
        return getInt(INITIATOR_TASK_TAG_OFFSET);
    }

    public Bhs initiatorTaskTag(int tag) {
        return setInt(INITIATOR_TASK_TAG_OFFSET, tag);
    }

    // ---- request fields ----

    public int cmdSn() {
        return getInt(CMD_SN_OFFSET);
    }

    public Bhs cmdSn(int cmdSn) {
        return setInt(CMD_SN_OFFSET, cmdSn);
    }

    public int expStatSn() {
        return getInt(EXP_STAT_SN_OFFSET);
    }

    public Bhs expStatSn(int expStatSn) {
        return setInt(EXP_STAT_SN_OFFSET, expStatSn);
    }

    /** SCSI Command: bytes the initiator expects to transfer (unsigned 32 bits). */
    public long expectedDataTransferLength() {
        return getInt(EXPECTED_DATA_TRANSFER_LENGTH_OFFSET) & 0xffff_ffffL;
    }

    public Bhs expectedDataTransferLength(long bytes) {
        return setInt(EXPECTED_DATA_TRANSFER_LENGTH_OFFSET, (int) bytes);
    }

    public boolean readFlag() {
        return (flags() & READ_FLAG) != 0;
    }

    public boolean writeFlag() {
        return (flags() & WRITE_FLAG) != 0;
    }

    public int taskAttributes() {
        return flags() & TASK_ATTR_MASK;
    }

    /** Copies the 16-byte CDB into {@code dst} at {@code dstIndex}. */
    public void getCdb(byte[] dst, int dstIndex) {
        buffer.getBytes(base + CDB_OFFSET, dst, dstIndex, CDB_LENGTH);
    }

    /** CDB byte {@code i} (0-15), unsigned, without copying. */
    public int cdbByte(int i) {
        return buffer.getUnsignedByte(base + CDB_OFFSET + checkIndex(i, CDB_LENGTH));
    }

    public Bhs cdb(byte[] cdb) {
        if (cdb.length > CDB_LENGTH) {
            throw new IllegalArgumentException("CDB of " + cdb.length + " bytes needs an AHS");
        }
        buffer.setBytes(base + CDB_OFFSET, cdb);
        buffer.setZero(base + CDB_OFFSET + cdb.length, CDB_LENGTH - cdb.length);
        return this;
    }

    public int targetTransferTag() {
        return getInt(TARGET_TRANSFER_TAG_OFFSET);
    }

    public Bhs targetTransferTag(int tag) {
        return setInt(TARGET_TRANSFER_TAG_OFFSET, tag);
    }

    public int dataSn() {
        return getInt(DATA_SN_OFFSET);
    }

    public Bhs dataSn(int dataSn) {
        return setInt(DATA_SN_OFFSET, dataSn);
    }

    /** Data-In/Out and R2T: offset of this PDU's data within the task's buffer. */
    public int bufferOffset() {
        return getInt(BUFFER_OFFSET_OFFSET);
    }

    public Bhs bufferOffset(int offsetBytes) {
        return setInt(BUFFER_OFFSET_OFFSET, offsetBytes);
    }

    /** Task Management Request function or Logout Request reason code. */
    public int function() {
        return flags() & FUNCTION_MASK;
    }

    public Bhs function(int function) {
        return flags(FINAL_FLAG | (function & FUNCTION_MASK));
    }

    public int referencedTaskTag() {
        return getInt(REFERENCED_TASK_TAG_OFFSET);
    }

    public Bhs referencedTaskTag(int tag) {
        return setInt(REFERENCED_TASK_TAG_OFFSET, tag);
    }

    public int refCmdSn() {
        return getInt(REF_CMD_SN_OFFSET);
    }

    public Bhs refCmdSn(int refCmdSn) {
        return setInt(REF_CMD_SN_OFFSET, refCmdSn);
    }

    public int expDataSn() {
        return getInt(EXP_DATA_SN_OFFSET);
    }

    public Bhs expDataSn(int expDataSn) {
        return setInt(EXP_DATA_SN_OFFSET, expDataSn);
    }

    // ---- login and text ----

    public boolean transit() {
        return (flags() & TRANSIT_FLAG) != 0;
    }

    public Bhs transit(boolean set) {
        return setBit(FLAGS_OFFSET, TRANSIT_FLAG, set);
    }

    public boolean continueFlag() {
        return (flags() & CONTINUE_FLAG) != 0;
    }

    public Bhs continueFlag(boolean set) {
        return setBit(FLAGS_OFFSET, CONTINUE_FLAG, set);
    }

    /** Login current stage: 0 security, 1 operational, 3 full feature. */
    public int csg() {
        return (flags() & CSG_MASK) >>> CSG_SHIFT;
    }

    public Bhs csg(int stage) {
        return flags((flags() & ~CSG_MASK) | ((stage << CSG_SHIFT) & CSG_MASK));
    }

    /** Login next stage; meaningful only with the T bit. */
    public int nsg() {
        return flags() & NSG_MASK;
    }

    public Bhs nsg(int stage) {
        return flags((flags() & ~NSG_MASK) | (stage & NSG_MASK));
    }

    public int versionMax() {
        return buffer.getUnsignedByte(base + VERSION_MAX_OFFSET);
    }

    public Bhs versionMax(int version) {
        buffer.setByte(base + VERSION_MAX_OFFSET, version);
        return this;
    }

    /** Login Request: Version-min. Login Response: Version-active (same byte). */
    public int versionMin() {
        return buffer.getUnsignedByte(base + VERSION_MIN_OFFSET);
    }

    public Bhs versionMin(int version) {
        buffer.setByte(base + VERSION_MIN_OFFSET, version);
        return this;
    }

    /** The 6-byte ISID as the low 48 bits of a long. */
    public long isid() {
        return ((long) buffer.getUnsignedShort(base + ISID_OFFSET) << 32)
                | buffer.getUnsignedInt(base + ISID_OFFSET + 2);
    }

    public Bhs isid(long isid) {
        buffer.setShort(base + ISID_OFFSET, (int) (isid >>> 32));
        buffer.setInt(base + ISID_OFFSET + 2, (int) isid);
        return this;
    }

    public int tsih() {
        return buffer.getUnsignedShort(base + TSIH_OFFSET);
    }

    public Bhs tsih(int tsih) {
        buffer.setShort(base + TSIH_OFFSET, tsih);
        return this;
    }

    /** Login and Logout Request: connection id (16 bits). */
    public int cid() {
        return buffer.getUnsignedShort(base + CID_OFFSET);
    }

    public Bhs cid(int cid) {
        buffer.setShort(base + CID_OFFSET, cid);
        return this;
    }

    public int statusClass() {
        return buffer.getUnsignedByte(base + STATUS_CLASS_OFFSET);
    }

    public int statusDetail() {
        return buffer.getUnsignedByte(base + STATUS_DETAIL_OFFSET);
    }

    public Bhs loginStatus(int statusClass, int statusDetail) {
        buffer.setByte(base + STATUS_CLASS_OFFSET, statusClass);
        buffer.setByte(base + STATUS_DETAIL_OFFSET, statusDetail);
        return this;
    }

    // ---- response fields ----

    public int statSn() {
        return getInt(STAT_SN_OFFSET);
    }

    public Bhs statSn(int statSn) {
        return setInt(STAT_SN_OFFSET, statSn);
    }

    public int expCmdSn() {
        return getInt(EXP_CMD_SN_OFFSET);
    }

    public Bhs expCmdSn(int expCmdSn) {
        return setInt(EXP_CMD_SN_OFFSET, expCmdSn);
    }

    public int maxCmdSn() {
        return getInt(MAX_CMD_SN_OFFSET);
    }

    public Bhs maxCmdSn(int maxCmdSn) {
        return setInt(MAX_CMD_SN_OFFSET, maxCmdSn);
    }

    /** Sets the three sequence numbers every target response carries. */
    public Bhs sequenceNumbers(int statSn, int expCmdSn, int maxCmdSn) {
        return statSn(statSn).expCmdSn(expCmdSn).maxCmdSn(maxCmdSn);
    }

    /** SCSI, Logout and Task Management Response: the iSCSI response code. */
    public int response() {
        return buffer.getUnsignedByte(base + RESPONSE_OFFSET);
    }

    public Bhs response(int response) {
        buffer.setByte(base + RESPONSE_OFFSET, response);
        return this;
    }

    /** SCSI Response, Data-In with S bit: the SCSI status byte. */
    public int status() {
        return buffer.getUnsignedByte(base + STATUS_OFFSET);
    }

    public Bhs status(int status) {
        buffer.setByte(base + STATUS_OFFSET, status);
        return this;
    }

    public int rejectReason() {
        return buffer.getUnsignedByte(base + REJECT_REASON_OFFSET);
    }

    public Bhs rejectReason(int reason) {
        buffer.setByte(base + REJECT_REASON_OFFSET, reason);
        return this;
    }

    public int residualCount() {
        return getInt(RESIDUAL_COUNT_OFFSET);
    }

    public Bhs residualCount(int bytes) {
        return setInt(RESIDUAL_COUNT_OFFSET, bytes);
    }

    public int bidiReadResidualCount() {
        return getInt(BIDI_READ_RESIDUAL_COUNT_OFFSET);
    }

    public Bhs bidiReadResidualCount(int bytes) {
        return setInt(BIDI_READ_RESIDUAL_COUNT_OFFSET, bytes);
    }

    /**
     * SCSI Response and Data-In: sets the O/U bits and the residual count. A positive
     * {@code residualBytes} is an underflow (fewer bytes moved than expected), a negative
     * one an overflow; zero clears both bits.
     */
    public Bhs residual(int residualBytes) {
        int flags = flags() & ~(OVERFLOW_FLAG | UNDERFLOW_FLAG);
        if (residualBytes > 0) {
            flags |= UNDERFLOW_FLAG;
        } else if (residualBytes < 0) {
            flags |= OVERFLOW_FLAG;
        }
        flags(flags);
        return residualCount(Math.abs(residualBytes));
    }

    public boolean statusFlag() {
        return (flags() & STATUS_FLAG) != 0;
    }

    public Bhs statusFlag(boolean set) {
        return setBit(FLAGS_OFFSET, STATUS_FLAG, set);
    }

    public int snackTag() {
        return getInt(SNACK_TAG_OFFSET);
    }

    public Bhs snackTag(int tag) {
        return setInt(SNACK_TAG_OFFSET, tag);
    }

    public int r2tSn() {
        return getInt(R2T_SN_OFFSET);
    }

    public Bhs r2tSn(int r2tSn) {
        return setInt(R2T_SN_OFFSET, r2tSn);
    }

    public int desiredDataTransferLength() {
        return getInt(DESIRED_DATA_TRANSFER_LENGTH_OFFSET);
    }

    public Bhs desiredDataTransferLength(int bytes) {
        return setInt(DESIRED_DATA_TRANSFER_LENGTH_OFFSET, bytes);
    }

    public int time2WaitSeconds() {
        return buffer.getUnsignedShort(base + TIME2WAIT_OFFSET);
    }

    public int time2RetainSeconds() {
        return buffer.getUnsignedShort(base + TIME2RETAIN_OFFSET);
    }

    public Bhs logoutTimes(int time2WaitSeconds, int time2RetainSeconds) {
        buffer.setShort(base + TIME2WAIT_OFFSET, time2WaitSeconds);
        buffer.setShort(base + TIME2RETAIN_OFFSET, time2RetainSeconds);
        return this;
    }

    private int getInt(int offset) {
        return buffer.getInt(base + offset);
    }

    private Bhs setInt(int offset, int value) {
        buffer.setInt(base + offset, value);
        return this;
    }

    private Bhs setBit(int offset, int bit, boolean set) {
        int b = buffer.getUnsignedByte(base + offset);
        buffer.setByte(base + offset, set ? b | bit : b & ~bit);
        return this;
    }

    private static int checkIndex(int i, int length) {
        if (i < 0 || i >= length) {
            throw new IndexOutOfBoundsException(i);
        }
        return i;
    }
}
