package io.tamp.datapath.nvme;

import io.tamp.datapath.volume.Volume;
import java.nio.ByteBuffer;
import java.util.UUID;

/**
 * A volume as a namespace of one host's controllers: NSID = LUN + 1. NGUID and UUID derive
 * from the volume's random serial and id, so they are stable across restarts and remappings
 * and never reused by another volume.
 */
public record Namespace(long nsid, Volume volume) {
    public byte[] nguid() {
        return io.tamp.datapath.frontend.VolumeIds.nguid(volume);
    }

    public byte[] uuid() {
        UUID u = UUID.nameUUIDFromBytes(nguid());
        return ByteBuffer.allocate(16).putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits()).array();
    }
}
