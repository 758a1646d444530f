package io.tamp.mgmt.catalog;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tamp.datapath.frontend.LunMap;
import io.tamp.datapath.iscsi.InitiatorChap;
import io.tamp.datapath.iscsi.IscsiTargetConfig;
import io.tamp.datapath.volume.Engine;
import io.tamp.datapath.volume.Volume;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Hosts, host groups and mappings: who sees which volume at which LUN. Kept as controller records
 * in the engine's metadata ({@code host.<id>}, {@code hostgroup.<id>}, {@code mapping.<id>},
 * {@code seq.<kind>}), each change one durable atomic commit, then applied to the frontends'
 * {@link LunMap} — so a host sees a new mapping at once (iSCSI unit attention, NVMe async event)
 * and loses an unmapped volume at once. All changes are serialized on this object.
 */
public final class Catalog {
    private final Engine engine;
    private final LunMap lunMap;
    private final ObjectMapper json;
    private final TreeMap<Long, Host> hosts = new TreeMap<>();
    private final TreeMap<Long, HostGroup> groups = new TreeMap<>();
    private final TreeMap<Long, Mapping> mappings = new TreeMap<>();
    private final Map<String, Long> sequences = new HashMap<>();
    /** iSCSI initiator name → its host's CHAP credentials, replaced whole on every change. */
    private volatile Map<String, InitiatorChap.Credentials> chapByInitiator = Map.of();
    /** What this catalog last put in the LUN map: initiator → LUN → volume id. */
    private Map<String, Map<Long, Long>> applied = Map.of();

    public Catalog(Engine engine, LunMap lunMap, ObjectMapper json) {
        this.engine = engine;
        this.lunMap = lunMap;
        this.json = json;
        load("host.", Host.class, h -> hosts.put(h.id(), h));
        load("hostgroup.", HostGroup.class, g -> groups.put(g.id(), g));
        load("mapping.", Mapping.class, m -> {
            if (engine.volume(m.volumeId()) != null) { // a volume deleted before its mappings were: drop them
                mappings.put(m.id(), m);
            }
        });
        for (var e : engine.controllerRecords("seq.").entrySet()) {
            sequences.put(e.getKey().substring(4), Long.parseLong(new String(e.getValue())));
        }
        apply();
    }

    private <T> void load(String prefix, Class<T> type, java.util.function.Consumer<T> sink) {
        for (var e : engine.controllerRecords(prefix).entrySet()) {
            try {
                sink.accept(json.readValue(e.getValue(), type));
            } catch (IOException x) {
                throw new UncheckedIOException("corrupt controller record " + e.getKey(), x);
            }
        }
    }

    // ---------------------------------------------------------------- hosts

    public synchronized List<Host> hosts() {
        return List.copyOf(hosts.values());
    }

    public synchronized Host host(long id) {
        Host h = hosts.get(id);
        if (h == null) {
            throw CatalogException.notFound("host", id);
        }
        return h;
    }

    public synchronized Host createHost(String name, String description, List<Initiator> initiators, Long groupId,
                                        Host.Chap chap) {
        checkName("name", name);
        if (hosts.values().stream().anyMatch(h -> h.name().equals(name))) {
            throw CatalogException.conflict("name_in_use", "a host named '" + name + "' exists");
        }
        checkInitiators(initiators, -1);
        if (groupId != null) {
            group(groupId);
        }
        checkChap(chap);
        Host h = new Host(next("host"), name, description, initiators, groupId,
                chap == null ? null : chap.username(), chap == null ? null : chap.secret());
        Changes c = new Changes().put("host." + h.id(), h).seq("host");
        commit(c);
        hosts.put(h.id(), h);
        apply();
        return h;
    }

    /** Changes the given fields (null: unchanged; groupId −1: leave the group; chap {@link Host.Chap#CLEAR}: remove). */
    public synchronized Host updateHost(long id, String name, String description, List<Initiator> initiators,
                                        Long groupId, Host.Chap chap) {
        Host old = host(id);
        if (name != null) {
            checkName("name", name);
            if (hosts.values().stream().anyMatch(h -> h.id() != id && h.name().equals(name))) {
                throw CatalogException.conflict("name_in_use", "a host named '" + name + "' exists");
            }
        }
        if (initiators != null) {
            checkInitiators(initiators, id);
        }
        Long newGroup = old.hostGroupId();
        if (groupId != null) {
            newGroup = groupId < 0 ? null : group(groupId).id();
        }
        checkChap(chap == Host.Chap.CLEAR ? null : chap);
        Host.Chap keep = chap != null ? chap : new Host.Chap(old.chapUsername(), old.chapSecret());
        Host h = new Host(id, name != null ? name : old.name(), description != null ? description : old.description(),
                initiators != null ? initiators : old.initiators(), newGroup, keep.username(), keep.secret());
        if (!Objects.equals(newGroup, old.hostGroupId())) {
            checkLunsWhenJoining(h);
        }
        commit(new Changes().put("host." + id, h));
        hosts.put(id, h);
        apply();
        return h;
    }

    /** Deletes a host; refused while volumes are mapped to it unless force (then those mappings go too). */
    public synchronized void deleteHost(long id, boolean force) {
        host(id);
        List<Mapping> own = mappings.values().stream().filter(m -> Objects.equals(m.hostId(), id)).toList();
        if (!own.isEmpty() && !force) {
            throw CatalogException.conflict("host_mapped", "host " + id + " has " + own.size()
                    + " mapped volume(s); unmap them first or delete with force=true");
        }
        Changes c = new Changes().delete("host." + id);
        own.forEach(m -> c.delete("mapping." + m.id()));
        commit(c);
        own.forEach(m -> mappings.remove(m.id()));
        hosts.remove(id);
        apply();
    }

    /**
     * The CHAP credentials an iSCSI initiator must log in with, or null when its host has none
     * (the iSCSI login asks at every login, so a change applies to the next one). The login hands in
     * the name normalised, as hosts store it ({@link Initiator}), so any spelling of it finds them.
     */
    public InitiatorChap.Credentials chapFor(String initiatorName) {
        return chapByInitiator.get(initiatorName);
    }

    private static final java.util.regex.Pattern CHAP_NAME = java.util.regex.Pattern.compile("[\\x21-\\x7e]{1,255}");

    private static void checkChap(Host.Chap chap) {
        if (chap == null) {
            return;
        }
        if (chap.username() == null || !CHAP_NAME.matcher(chap.username()).matches()) {
            throw CatalogException.invalid("chap_username", "chap_username must be 1..255 printable ASCII characters");
        }
        String problem = IscsiTargetConfig.Builder.secretProblem(chap.secret());
        if (problem != null) {
            throw CatalogException.invalid("chap_secret", problem);
        }
    }

    // ---------------------------------------------------------------- host groups

    public synchronized List<HostGroup> groups() {
        return List.copyOf(groups.values());
    }

    public synchronized HostGroup group(long id) {
        HostGroup g = groups.get(id);
        if (g == null) {
            throw CatalogException.notFound("host group", id);
        }
        return g;
    }

    public synchronized List<Host> members(long groupId) {
        return hosts.values().stream().filter(h -> Objects.equals(h.hostGroupId(), groupId)).toList();
    }

    public synchronized HostGroup createGroup(String name, String description, List<Long> hostIds) {
        checkName("name", name);
        if (groups.values().stream().anyMatch(g -> g.name().equals(name))) {
            throw CatalogException.conflict("name_in_use", "a host group named '" + name + "' exists");
        }
        List<Host> joining = new ArrayList<>();
        for (long hid : hostIds) {
            Host h = host(hid);
            if (h.hostGroupId() != null) {
                throw CatalogException.conflict("host_in_group", "host " + hid + " is already in host group "
                        + h.hostGroupId());
            }
            joining.add(h);
        }
        HostGroup g = new HostGroup(next("hostgroup"), name, description);
        Changes c = new Changes().put("hostgroup." + g.id(), g).seq("hostgroup");
        List<Host> updated = new ArrayList<>();
        for (Host h : joining) {
            Host n = h.withGroup(g.id());
            updated.add(n);
            c.put("host." + h.id(), n);
        }
        commit(c);
        groups.put(g.id(), g);
        updated.forEach(h -> hosts.put(h.id(), h));
        apply();
        return g;
    }

    public synchronized HostGroup renameGroup(long id, String name, String description) {
        HostGroup old = group(id);
        if (name != null) {
            checkName("name", name);
            if (groups.values().stream().anyMatch(g -> g.id() != id && g.name().equals(name))) {
                throw CatalogException.conflict("name_in_use", "a host group named '" + name + "' exists");
            }
        }
        HostGroup g = new HostGroup(id, name != null ? name : old.name(),
                description != null ? description : old.description());
        commit(new Changes().put("hostgroup." + id, g));
        groups.put(id, g);
        return g;
    }

    /** Deletes a group; its hosts stay (ungrouped). Refused while volumes are mapped to it unless force. */
    public synchronized void deleteGroup(long id, boolean force) {
        group(id);
        List<Mapping> own = mappings.values().stream().filter(m -> Objects.equals(m.hostGroupId(), id)).toList();
        if (!own.isEmpty() && !force) {
            throw CatalogException.conflict("host_group_mapped", "host group " + id + " has " + own.size()
                    + " mapped volume(s); unmap them first or delete with force=true");
        }
        Changes c = new Changes().delete("hostgroup." + id);
        own.forEach(m -> c.delete("mapping." + m.id()));
        List<Host> freed = new ArrayList<>();
        for (Host h : members(id)) {
            Host n = h.withGroup(null);
            freed.add(n);
            c.put("host." + h.id(), n);
        }
        commit(c);
        own.forEach(m -> mappings.remove(m.id()));
        freed.forEach(h -> hosts.put(h.id(), h));
        groups.remove(id);
        apply();
    }

    // ---------------------------------------------------------------- mappings

    public synchronized List<Mapping> mappings(long volumeId) {
        return mappings.values().stream().filter(m -> m.volumeId() == volumeId).toList();
    }

    public synchronized List<Mapping> allMappings() {
        return List.copyOf(mappings.values());
    }

    /** Ids of the volumes a host sees, directly or through its host group, ascending. */
    public synchronized List<Long> volumesOf(Host h) {
        return mappings.values().stream().filter(m -> reaches(m, h)).map(Mapping::volumeId).distinct().sorted().toList();
    }

    public synchronized Mapping mapping(long volumeId, long mappingId) {
        Mapping m = mappings.get(mappingId);
        if (m == null || m.volumeId() != volumeId) {
            throw CatalogException.notFound("mapping", mappingId);
        }
        return m;
    }

    /**
     * Maps a volume to a host or host group at lun (null: the lowest LUN free on every host it
     * reaches). Refused when the volume already reaches one of those hosts, or the LUN is taken there.
     */
    public synchronized Mapping map(Volume volume, Long hostId, Long groupId, Long lun) {
        if ((hostId == null) == (groupId == null)) {
            throw CatalogException.invalid("host_id", "give exactly one of host_id and host_group_id");
        }
        List<Host> reached = hostId != null ? List.of(host(hostId)) : members(group(groupId).id());
        Map<Long, Set<Long>> used = new HashMap<>(); // host → LUNs in use
        for (Host h : reached) {
            Set<Long> luns = new HashSet<>();
            for (Mapping m : mappings.values()) {
                if (reaches(m, h)) {
                    if (m.volumeId() == volume.id()) {
                        throw CatalogException.conflict("already_mapped", "volume " + volume.id()
                                + " is already mapped to host '" + h.name() + "' (mapping " + m.id() + ")");
                    }
                    luns.add(m.lun());
                }
            }
            used.put(h.id(), luns);
        }
        long chosen;
        if (lun != null) {
            if (lun < 0 || lun > LunMap.MAX_LUN) {
                throw CatalogException.invalid("lun", "lun must be 0.." + LunMap.MAX_LUN);
            }
            for (Host h : reached) {
                if (used.get(h.id()).contains(lun)) {
                    throw CatalogException.conflict("lun_in_use", "LUN " + lun + " is in use on host '" + h.name() + "'");
                }
            }
            chosen = lun;
        } else {
            chosen = 0;
            while (chosen <= LunMap.MAX_LUN) {
                long c = chosen;
                if (used.values().stream().noneMatch(s -> s.contains(c))) {
                    break;
                }
                chosen++;
            }
            if (chosen > LunMap.MAX_LUN) {
                throw new CatalogException(CatalogException.Kind.UNPROCESSABLE, "no_free_lun",
                        "no LUN is free on every host this mapping reaches", null);
            }
        }
        Mapping m = new Mapping(next("mapping"), volume.id(), hostId, groupId, chosen);
        commit(new Changes().put("mapping." + m.id(), m).seq("mapping"));
        mappings.put(m.id(), m);
        apply();
        return m;
    }

    public synchronized void unmap(long volumeId, long mappingId) {
        Mapping m = mapping(volumeId, mappingId);
        commit(new Changes().delete("mapping." + m.id()));
        mappings.remove(m.id());
        apply();
    }

    /** Removes every mapping of a volume (it is being deleted). */
    public synchronized void unmapVolume(long volumeId) {
        List<Mapping> own = mappings(volumeId);
        if (own.isEmpty()) {
            return;
        }
        Changes c = new Changes();
        own.forEach(m -> c.delete("mapping." + m.id()));
        commit(c);
        own.forEach(m -> mappings.remove(m.id()));
        apply();
    }

    // ---------------------------------------------------------------- internals

    private boolean reaches(Mapping m, Host h) {
        return Objects.equals(m.hostId(), h.id()) || (m.hostGroupId() != null && m.hostGroupId().equals(h.hostGroupId()));
    }

    /** A host joining a group must not collide with the group's LUNs or volumes. */
    private void checkLunsWhenJoining(Host joined) {
        Map<Long, Long> lunToVolume = new HashMap<>();
        for (Mapping m : mappings.values()) {
            if (reaches(m, joined)) {
                Long prev = lunToVolume.put(m.lun(), m.volumeId());
                if (prev != null) {
                    throw CatalogException.conflict("lun_in_use", "host '" + joined.name()
                            + "' would see two volumes at LUN " + m.lun());
                }
            }
        }
        if (new HashSet<>(lunToVolume.values()).size() != lunToVolume.size()) {
            throw CatalogException.conflict("already_mapped", "host '" + joined.name()
                    + "' would see one volume at two LUNs");
        }
    }

    private void checkInitiators(List<Initiator> initiators, long hostId) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < initiators.size(); i++) {
            Initiator in = initiators.get(i);
            String problem = in.problem();
            if (problem != null) {
                throw CatalogException.invalid("initiators[" + i + "]", problem);
            }
            if (!seen.add(in.portName())) {
                throw CatalogException.invalid("initiators[" + i + "]", "port_name " + in.portName() + " listed twice");
            }
            for (Host h : hosts.values()) {
                if (h.id() != hostId && h.initiators().stream().anyMatch(x -> x.portName().equals(in.portName()))) {
                    throw CatalogException.conflict("initiator_in_use", "initiator " + in.portName()
                            + " belongs to host '" + h.name() + "'");
                }
            }
        }
    }

    static void checkName(String field, String name) {
        if (name == null || name.isBlank() || name.length() > 255 || name.chars().anyMatch(Character::isISOControl)) {
            throw CatalogException.invalid(field, field + " must be 1..255 printable characters");
        }
    }

    private long next(String kind) {
        return sequences.getOrDefault(kind, 0L) + 1;
    }

    /** Brings the LUN map in line with the mappings, touching only the entries this catalog owns. */
    private void apply() {
        Map<String, InitiatorChap.Credentials> chap = new HashMap<>();
        for (Host h : hosts.values()) {
            if (h.hasChap()) {
                for (Initiator in : h.initiators()) {
                    if (Initiator.ISCSI.equals(in.protocol())) {
                        chap.put(in.portName(), new InitiatorChap.Credentials(h.chapUsername(), h.chapSecret()));
                    }
                }
            }
        }
        chapByInitiator = Map.copyOf(chap);
        Map<String, Map<Long, Long>> want = new LinkedHashMap<>();
        for (Mapping m : mappings.values()) {
            for (Host h : hosts.values()) {
                if (reaches(m, h)) {
                    for (Initiator in : h.initiators()) {
                        want.computeIfAbsent(in.portName(), k -> new TreeMap<>()).put(m.lun(), m.volumeId());
                    }
                }
            }
        }
        for (var e : applied.entrySet()) {
            Map<Long, Long> now = want.getOrDefault(e.getKey(), Map.of());
            for (var lun : e.getValue().entrySet()) {
                if (!lun.getValue().equals(now.get(lun.getKey()))) {
                    lunMap.unmap(e.getKey(), lun.getKey());
                }
            }
        }
        for (var e : want.entrySet()) {
            Map<Long, Long> before = applied.getOrDefault(e.getKey(), Map.of());
            for (var lun : e.getValue().entrySet()) {
                if (!lun.getValue().equals(before.get(lun.getKey()))) {
                    Volume v = engine.volume(lun.getValue());
                    if (v != null) {
                        lunMap.map(e.getKey(), lun.getKey(), v);
                    }
                }
            }
        }
        applied = want;
    }

    /** One atomic commit of controller records. */
    private final class Changes {
        final Map<String, byte[]> records = new LinkedHashMap<>();

        Changes put(String key, Object value) {
            try {
                records.put(key, json.writeValueAsBytes(value));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        Changes delete(String key) {
            records.put(key, null);
            return this;
        }

        /** Advances the id sequence of kind past the id just handed out. */
        Changes seq(String kind) {
            long n = next(kind);
            records.put("seq." + kind, Long.toString(n).getBytes());
            return this;
        }
    }

    private void commit(Changes c) {
        engine.putControllerRecords(c.records);
        for (var e : c.records.entrySet()) {
            if (e.getKey().startsWith("seq.")) {
                sequences.put(e.getKey().substring(4), Long.parseLong(new String(e.getValue())));
            }
        }
    }

    /** Hosts sorted by name, for listings. */
    public static final Comparator<Host> BY_NAME = Comparator.comparing(Host::name);
}
