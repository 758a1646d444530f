package io.tamp.datapath.nvme;

import io.netty.buffer.ByteBuf;

/**
 * What a command produced: its status, completion dwords 0 and 1, and data for the host
 * (released by the transport), if any.
 */
public record Completion(int status, long dw0, long dw1, ByteBuf dataIn) {
    private static final Completion OK = new Completion(Status.SUCCESS, 0, 0, null);

    public static Completion success() {
        return OK;
    }

    public static Completion success(long dw0) {
        return new Completion(Status.SUCCESS, dw0, 0, null);
    }

    public static Completion data(ByteBuf dataIn) {
        return new Completion(Status.SUCCESS, 0, 0, dataIn);
    }

    public static Completion error(int status) {
        return new Completion(status, 0, 0, null);
    }

    /** A Connect "Invalid Parameters" pointing at the offending field: in the command or its data. */
    public static Completion invalidConnectParameter(boolean inData, int byteOffset) {
        return new Completion(Status.CONNECT_INVALID_PARAMETERS, (inData ? 1L << 16 : 0) | byteOffset, 0, null);
    }

    public boolean ok() {
        return status == Status.SUCCESS;
    }
}
