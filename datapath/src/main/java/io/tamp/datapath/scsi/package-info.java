/**
 * The SCSI command set (SPC-4 / SBC-3) over Tamp volumes: CDB decoding, sense data,
 * reservations. The only place engine {@code IoStatus} values become sense keys. Transports
 * ({@code iscsi}) hand over {@link io.tamp.datapath.scsi.ScsiCommand}s and never parse CDBs.
 */
package io.tamp.datapath.scsi;
