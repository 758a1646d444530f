package io.tamp.datapath.nvmetcp;

/**
 * A fatal framing error: the controller answers with a C2HTermReq naming it (Fatal Error
 * Status and Fatal Error Information, NVMe TCP Transport 3.6.2.9) and closes the connection.
 *
 * @param fes    fatal error status
 * @param fei    fatal error information: for {@link #INVALID_HEADER_FIELD}, the byte offset of the field
 * @param header the offending PDU header as received (at most the C2HTermReq's 128 bytes)
 * @param reason for the log
 */
public record NvmeTcpDecodeError(int fes, long fei, byte[] header, String reason) {
    public static final int INVALID_HEADER_FIELD = 0x01;
    public static final int PDU_SEQUENCE_ERROR = 0x02;
    public static final int HEADER_DIGEST_ERROR = 0x03;
    public static final int DATA_TRANSFER_OUT_OF_RANGE = 0x04;
    public static final int DATA_TRANSFER_LIMIT_EXCEEDED = 0x05;
    public static final int UNSUPPORTED_PARAMETER = 0x06;
    /** The C2HTermReq data field carries at most this much of the offending header. */
    public static final int MAX_ECHOED_HEADER = 128;
}
