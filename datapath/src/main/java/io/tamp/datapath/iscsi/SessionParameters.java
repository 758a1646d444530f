package io.tamp.datapath.iscsi;

/**
 * What a login settled (RFC 7143 §13), fixed for the life of the connection.
 *
 * @param discovery                  SessionType=Discovery: only Text, NOP-Out and Logout allowed
 * @param initiatorName              InitiatorName, normalised ({@link IscsiNames#normalize})
 * @param isid                       the initiator's session id (48 bits)
 * @param tsih                       the handle we assigned
 * @param headerDigest               HeaderDigest=CRC32C
 * @param dataDigest                 DataDigest=CRC32C
 * @param targetMaxRecvDataSegment   what we declared (the decoder's limit from now on)
 * @param initiatorMaxRecvDataSegment what the initiator declared (our send limit)
 * @param maxBurstBytes              MaxBurstLength
 * @param firstBurstBytes            FirstBurstLength
 * @param initialR2T                 InitialR2T=Yes: no unsolicited Data-Out
 * @param immediateData              ImmediateData=Yes: data may ride in the SCSI Command PDU
 */
record SessionParameters(boolean discovery, String initiatorName, long isid, int tsih,
                         boolean headerDigest, boolean dataDigest, int targetMaxRecvDataSegment,
                         int initiatorMaxRecvDataSegment, int maxBurstBytes, int firstBurstBytes,
                         boolean initialR2T, boolean immediateData) {

    /** The SCSI initiator port name, RFC 7143 §10.1: "InitiatorName,i,0xISID". */
    String initiatorPort() {
        return initiatorName + ",i,0x" + String.format("%012x", isid);
    }
}
