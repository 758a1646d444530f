package io.tamp.mgmt.api;

import io.tamp.datapath.frontend.VolumeIds;
import io.tamp.datapath.volume.Volume;
import io.tamp.mgmt.catalog.Catalog;
import io.tamp.mgmt.catalog.Host;
import io.tamp.mgmt.catalog.HostGroup;
import io.tamp.mgmt.catalog.Initiator;
import io.tamp.mgmt.catalog.Mapping;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

/** The JSON shapes the API answers with (snake_case by {@link Json#mapper()}). */
final class Views {
    static final String DESCRIPTION = "mgmt.description";

    private Views() {
    }

    record VolumeView(long id, String name, String description, String type, Long sourceVolumeId, long sizeBytes,
                      String created, String wwn, String nguid, String iscsiTargetIqn, String nvmeSubsystemNqn,
                      long logicalUsed, boolean mapped) {
    }

    record InitiatorView(String protocol, String portName) {
    }

    /** A host; its CHAP secret never leaves the controller, only whether it has one. */
    record HostView(long id, String name, String description, List<InitiatorView> initiators, Long hostGroupId,
                    boolean chap, List<Long> mappedVolumeIds) {
    }

    record HostGroupView(long id, String name, String description, List<Long> hostIds) {
    }

    record MappingView(long id, long volumeId, Long hostId, Long hostGroupId, long lun, long nvmeNsid) {
    }

    record Page<T>(List<T> items, long total, long offset, long limit) {
    }

    static VolumeView volume(Controller c, Volume v) {
        byte[] d = v.attribute(DESCRIPTION);
        boolean snapshot = v.isSnapshot();
        return new VolumeView(v.id(), v.name(), d == null ? "" : new String(d, StandardCharsets.UTF_8),
                snapshot ? "snapshot" : "volume", snapshot ? v.sourceId() : null, v.sizeBytes(),
                Instant.ofEpochMilli(v.createdMillis()).toString(), VolumeIds.wwn(v),
                HexFormat.of().formatHex(VolumeIds.nguid(v)), c.frontends().iscsiTargetIqn(),
                c.frontends().nvmeSubsystemNqn(), v.mappedBlocks() * Volume.BLOCK,
                !c.catalog().mappings(v.id()).isEmpty());
    }

    static HostView host(Catalog catalog, Host h) {
        List<Long> volumes = catalog.volumesOf(h);
        return new HostView(h.id(), h.name(), h.description() == null ? "" : h.description(),
                h.initiators().stream().map(i -> new InitiatorView(i.protocol(), i.portName())).toList(),
                h.hostGroupId(), h.hasChap(), volumes);
    }

    static HostGroupView group(Catalog catalog, HostGroup g) {
        return new HostGroupView(g.id(), g.name(), g.description() == null ? "" : g.description(),
                catalog.members(g.id()).stream().map(Host::id).toList());
    }

    static MappingView mapping(Mapping m) {
        return new MappingView(m.id(), m.volumeId(), m.hostId(), m.hostGroupId(), m.lun(), m.lun() + 1);
    }

    static List<Initiator> initiators(com.fasterxml.jackson.databind.JsonNode array) {
        return java.util.stream.StreamSupport.stream(array.spliterator(), false)
                .map(n -> new Initiator(n.path("protocol").asText(), n.path("port_name").asText())).toList();
    }
}
