package io.tamp.datapath.scsi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tamp.datapath.frontend.LunMap;
import io.tamp.datapath.volume.Volume;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LunMapTest extends ScsiFixture {

    @Test
    void mapUnmapAndListen() {
        List<String> changed = new ArrayList<>();
        lunMap.addListener(changed::add);
        Volume w = engine.createVolume("w", 1 << 20);
        lunMap.map(IQN, 3, w);
        assertSame(w, lunMap.volume(IQN, 3));
        assertEquals(List.of(0L, 3L), new ArrayList<>(lunMap.luns(IQN).keySet()));
        assertTrue(lunMap.luns("iqn.nobody").isEmpty());
        assertTrue(lunMap.unmap(IQN, 3));
        assertFalse(lunMap.unmap(IQN, 3));
        lunMap.unmapVolume(volume);
        assertNull(lunMap.volume(IQN, 0));
        assertEquals(List.of(IQN, IQN, IQN), changed);
        assertThrows(IllegalArgumentException.class, () -> lunMap.map(IQN, LunMap.MAX_LUN + 1, w));
    }

    @Test
    void unmappedOrDeletedVolumeIsNotSupported() {
        login(PORT);
        lunMap.unmap(IQN, 0);
        assertCheck(Sense.LOGICAL_UNIT_NOT_SUPPORTED, run(rw10(0x28, 0, 0, 1)));
        lunMap.map(IQN, 0, volume);
        engine.deleteVolume(volume);
        assertCheck(Sense.LOGICAL_UNIT_NOT_SUPPORTED, run(rw10(0x28, 0, 0, 1)));
    }
}
