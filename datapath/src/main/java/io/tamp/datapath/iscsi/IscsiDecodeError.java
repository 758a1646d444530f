package io.tamp.datapath.iscsi;

import java.util.Arrays;

/**
 * What the decoder emits instead of a PDU it cannot deliver. Never thrown: the connection
 * handler answers it according to {@link #outcome()}.
 */
public final class IscsiDecodeError {

    /** What the connection must do about the bad PDU (SPDK {@code iscsi_pdu_hdr_handle}). */
    public enum Outcome {
        /**
         * Answer with a Reject PDU carrying {@link Kind#rejectReason()} and the offending
         * header as its data segment; the PDU is discarded and the connection continues.
         */
        REJECT,
        /**
         * Close the connection. The decoder has stopped framing and discards everything
         * after the error. Where {@link Kind#rejectReason()} is not 0 the handler may send
         * that Reject first, as a courtesy, before it closes.
         */
        DROP_CONNECTION
    }

    /** Why the PDU was not delivered. */
    public enum Kind {
        /**
         * The header digest does not match. RFC 7143 §7.8: the lengths in the header cannot
         * be trusted, so the next PDU boundary is unknown and the connection is dropped.
         */
        HEADER_DIGEST_ERROR(Outcome.DROP_CONNECTION, 0),
        /**
         * The data digest does not match. RFC 7143 §7.8: reject with reason 0x02
         * (Data (payload) digest error) and discard the PDU; the header was sound, so the
         * decoder resumes at the next PDU.
         */
        DATA_DIGEST_ERROR(Outcome.REJECT, 0x02),
        /**
         * DataSegmentLength exceeds our MaxRecvDataSegmentLength (RFC 7143 §13.12), a
         * protocol error. We drop the connection (optionally after a Reject with reason 0x04,
         * Protocol Error) rather than drain up to 16 MiB the peer had no right to send:
         * without a header digest the length itself may be the corrupted field.
         */
        DATA_SEGMENT_TOO_LONG(Outcome.DROP_CONNECTION, 0x04),
        /** TotalAHSLength exceeds what this target accepts; a protocol error, as above. */
        AHS_TOO_LONG(Outcome.DROP_CONNECTION, 0x04),
        /**
         * The opcode is unassigned. RFC 7143 §11.17.1: reject with reason 0x05 (Command not
         * supported); the framing is intact, so the connection continues.
         */
        UNKNOWN_OPCODE(Outcome.REJECT, 0x05);

        private final Outcome outcome;
        private final int rejectReason;

        Kind(Outcome outcome, int rejectReason) {
            this.outcome = outcome;
            this.rejectReason = rejectReason;
        }

        public Outcome outcome() {
            return outcome;
        }

        /** The Reject PDU reason code to send, or 0 when no Reject is sent. */
        public int rejectReason() {
            return rejectReason;
        }
    }

    private final Kind kind;
    private final byte[] header;
    private final String detail;

    IscsiDecodeError(Kind kind, byte[] header, String detail) {
        this.kind = kind;
        this.header = header;
        this.detail = detail;
    }

    public Kind kind() {
        return kind;
    }

    public Outcome outcome() {
        return kind.outcome();
    }

    /** A copy of the offending 48-byte BHS: the data segment of the Reject PDU. */
    public byte[] header() {
        return header.clone();
    }

    public String detail() {
        return detail;
    }

    @Override
    public String toString() {
        return "IscsiDecodeError[" + kind + ": " + detail + ", bhs=" + Arrays.toString(
                Arrays.copyOf(header, 8)) + "...]";
    }
}
