package io.tamp.datapath.scsi;

import static io.tamp.datapath.scsi.InquiryCommands.putU16;
import static io.tamp.datapath.scsi.InquiryCommands.putU32;
import static io.tamp.datapath.scsi.InquiryCommands.putU64;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Persistent reservations (SPC-4 5.9, 6.15, 6.16) and RESERVE(6)/RELEASE(6) of one logical unit,
 * kept per I_T nexus (initiator port). Registrations survive relogin (they belong to the port,
 * not the session); with APTPL set by the last REGISTER they also survive a restart: every change
 * is written to the volume's "scsi.pr" attribute before the command completes. SPEC_I_PT and
 * ALL_TG_PT are refused. Every method holds the object's lock.
 *
 * <pre>
 * PERSISTENT RESERVE OUT parameter list (24 bytes)
 *  0..7 RESERVATION KEY   8..15 SERVICE ACTION RESERVATION KEY   16..19 obsolete
 *  20   SPEC_I_PT(3) ALL_TG_PT(2) APTPL(0)   21..23 reserved
 * </pre>
 */
final class PersistentReservations {
    static final int READ_KEYS = 0x00;
    static final int READ_RESERVATION = 0x01;
    static final int REPORT_CAPABILITIES = 0x02;
    static final int READ_FULL_STATUS = 0x03;
    static final int[] IN_SERVICE_ACTIONS = {READ_KEYS, READ_RESERVATION, REPORT_CAPABILITIES, READ_FULL_STATUS};
    /** TransportID byte 0: FORMAT CODE 01b (iSCSI name with ISID), PROTOCOL IDENTIFIER 5 (iSCSI). */
    private static final int ISCSI_PORT_TRANSPORT_ID = 0x45;
    /** The one target port: RELATIVE TARGET PORT IDENTIFIER 1. */
    private static final int RELATIVE_TARGET_PORT = 1;
    static final int REGISTER = 0x00;
    static final int RESERVE = 0x01;
    static final int RELEASE = 0x02;
    static final int CLEAR = 0x03;
    static final int PREEMPT = 0x04;
    static final int REGISTER_AND_IGNORE = 0x06;
    static final int[] OUT_SERVICE_ACTIONS = {REGISTER, RESERVE, RELEASE, CLEAR, PREEMPT, REGISTER_AND_IGNORE};
    static final int WRITE_EXCLUSIVE = 1;
    static final int EXCLUSIVE_ACCESS = 3;
    static final int WRITE_EXCLUSIVE_REGISTRANTS_ONLY = 5;
    static final int EXCLUSIVE_ACCESS_REGISTRANTS_ONLY = 6;
    static final int WRITE_EXCLUSIVE_ALL_REGISTRANTS = 7;
    static final int EXCLUSIVE_ACCESS_ALL_REGISTRANTS = 8;
    static final int PARAMETER_LIST_BYTES = 24;

    /** Volume attribute holding the state while APTPL is on. */
    static final String ATTRIBUTE = "scsi.pr";
    private static final int STATE_VERSION = 1;

    /** Where APTPL state lives: the volume's durable attributes (null removes). */
    interface Store {
        byte[] load();

        void save(byte[] state);
    }

    private final Store store;
    /** Activate persist through power loss: the last REGISTER's APTPL bit. */
    private boolean aptpl;
    /** initiator port → reservation key, in registration order. */
    private final Map<String, Long> registrations = new LinkedHashMap<>();
    private int generation;
    /** 0: no persistent reservation. */
    private int type;
    /** The holder, for the types that have a single one. */
    private String holder;
    /** The nexus holding a RESERVE(6) reservation, or null. */
    private String spc2Holder;

    PersistentReservations(Store store) {
        this.store = store;
        byte[] state = store.load();
        if (state != null) {
            restore(state);
        }
    }

    private void restore(byte[] state) {
        try (java.io.DataInputStream in = new java.io.DataInputStream(new java.io.ByteArrayInputStream(state))) {
            int version = in.readUnsignedByte();
            if (version != STATE_VERSION) {
                throw new IllegalStateException("unknown persistent reservation state version " + version);
            }
            generation = in.readInt();
            type = in.readUnsignedByte();
            String h = in.readUTF();
            holder = h.isEmpty() ? null : h;
            for (int n = in.readInt(); n > 0; n--) {
                String port = in.readUTF();
                registrations.put(port, in.readLong());
            }
            aptpl = true;
        } catch (java.io.IOException e) {
            throw new IllegalStateException("persistent reservation state is corrupt", e);
        }
    }

    private byte[] snapshot() {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.DataOutputStream out = new java.io.DataOutputStream(bytes)) {
            out.writeByte(STATE_VERSION);
            out.writeInt(generation);
            out.writeByte(type);
            out.writeUTF(holder == null ? "" : holder);
            out.writeInt(registrations.size());
            for (Map.Entry<String, Long> e : registrations.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeLong(e.getValue());
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        return bytes.toByteArray();
    }

    private static boolean allRegistrants(int type) {
        return type == WRITE_EXCLUSIVE_ALL_REGISTRANTS || type == EXCLUSIVE_ACCESS_ALL_REGISTRANTS;
    }

    private static boolean registrantsAccess(int type) {
        return type >= WRITE_EXCLUSIVE_REGISTRANTS_ONLY;
    }

    private static boolean exclusiveAccess(int type) {
        return type == EXCLUSIVE_ACCESS || type == EXCLUSIVE_ACCESS_REGISTRANTS_ONLY
                || type == EXCLUSIVE_ACCESS_ALL_REGISTRANTS;
    }

    private boolean isHolder(String port) {
        return type != 0 && (allRegistrants(type) ? registrations.containsKey(port) : port.equals(holder));
    }

    /** Whether the command must end in RESERVATION CONFLICT for this nexus (SPC-4 table 66 for SBC). */
    synchronized boolean conflicts(String port, CommandTable.Entry command) {
        if (spc2Holder != null && !spc2Holder.equals(port) && !command.spc2Allowed()) {
            return true;
        }
        if (type == 0 || isHolder(port) || command.access() == CommandTable.Access.ALLOWED) {
            return false;
        }
        if (registrantsAccess(type) && registrations.containsKey(port)) {
            return false;
        }
        return command.access() == CommandTable.Access.WRITE || exclusiveAccess(type);
    }

    synchronized ScsiResponse reserve6(String port) {
        if (type != 0 || !registrations.isEmpty() || (spc2Holder != null && !spc2Holder.equals(port))) {
            return ScsiResponse.reservationConflict();
        }
        spc2Holder = port;
        return ScsiResponse.good();
    }

    synchronized ScsiResponse release6(String port) {
        if (port.equals(spc2Holder)) {
            spc2Holder = null;
        }
        return ScsiResponse.good();
    }

    /** The holder's I_T nexus is gone: its RESERVE(6) goes with it. */
    synchronized void nexusLost(String port) {
        if (port.equals(spc2Holder)) {
            spc2Holder = null;
        }
    }

    /** LOGICAL UNIT RESET and target resets release RESERVE(6); persistent reservations survive. */
    synchronized void reset() {
        spc2Holder = null;
    }

    synchronized ScsiResponse in(Task t) {
        Cdb cdb = t.cdb();
        int allocation = cdb.u16(7);
        return switch (cdb.serviceAction()) {
            case READ_KEYS -> {
                byte[] out = new byte[8 + 8 * registrations.size()];
                putU32(out, 0, generation);
                putU32(out, 4, 8L * registrations.size());
                int at = 8;
                for (long key : registrations.values()) {
                    putU64(out, at, key);
                    at += 8;
                }
                yield t.data(out, allocation);
            }
            case READ_RESERVATION -> {
                byte[] out = new byte[type == 0 ? 8 : 24];
                putU32(out, 0, generation);
                if (type != 0) {
                    putU32(out, 4, 16);
                    putU64(out, 8, allRegistrants(type) ? 0 : registrations.getOrDefault(holder, 0L));
                    out[21] = (byte) type; // scope 0: logical unit
                }
                yield t.data(out, allocation);
            }
            case REPORT_CAPABILITIES -> {
                byte[] out = new byte[8];
                putU16(out, 0, 8);
                out[2] = 0x01; // PTPL_C: persist through power loss capable
                out[3] = (byte) (0x80 | (aptpl ? 0x01 : 0)); // TMV; ALLOW COMMANDS 0; PTPL_A
                out[4] = (byte) (0x80 | 0x40 | 0x20 | 0x08 | 0x02); // WR_EX_AR EX_AC_RO WR_EX_RO EX_AC WR_EX
                out[5] = 0x01; // EX_AC_AR
                yield t.data(out, allocation);
            }
            case READ_FULL_STATUS -> t.data(fullStatus(), allocation);
            default -> Task.check(Sense.INVALID_FIELD_IN_CDB);
        };
    }

    /**
     * READ FULL STATUS (SPC-4 6.16.5): one 24-byte descriptor per registration (key, R_HOLDER,
     * scope and type when it holds the reservation, relative target port) and its initiator
     * port's TransportID: "iqn...,i,0x<ISID>" NUL-terminated, padded to a multiple of 4.
     */
    private byte[] fullStatus() {
        List<byte[]> descriptors = new ArrayList<>();
        int total = 0;
        for (Map.Entry<String, Long> e : registrations.entrySet()) {
            byte[] name = e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            int idLength = Math.max(20, (name.length + 1 + 3) & ~3);
            byte[] d = new byte[24 + 4 + idLength];
            putU64(d, 0, e.getValue());
            boolean holds = isHolder(e.getKey());
            d[12] = (byte) (holds ? 0x01 : 0x00);
            d[13] = (byte) (holds ? type : 0); // scope 0: logical unit
            putU16(d, 18, RELATIVE_TARGET_PORT);
            putU32(d, 20, 4 + idLength);
            d[24] = (byte) ISCSI_PORT_TRANSPORT_ID;
            putU16(d, 26, idLength);
            System.arraycopy(name, 0, d, 28, name.length);
            descriptors.add(d);
            total += d.length;
        }
        byte[] out = new byte[8 + total];
        putU32(out, 0, generation);
        putU32(out, 4, total);
        int at = 8;
        for (byte[] d : descriptors) {
            System.arraycopy(d, 0, out, at, d.length);
            at += d.length;
        }
        return out;
    }

    synchronized ScsiResponse out(Task t) {
        Cdb cdb = t.cdb();
        String port = t.command().initiatorPort();
        if (spc2Holder != null && !spc2Holder.equals(port)) {
            return ScsiResponse.reservationConflict();
        }
        int action = cdb.serviceAction();
        int scope = cdb.u8(2) >>> 4;
        int requestedType = cdb.u8(2) & 0x0F;
        long listLength = cdb.u32(5);
        if (listLength != PARAMETER_LIST_BYTES || t.dataOutLength() < PARAMETER_LIST_BYTES) {
            return Task.check(Sense.PARAMETER_LIST_LENGTH_ERROR);
        }
        ByteBuf p = t.command().dataOut();
        int base = p.readerIndex();
        long key = p.getLong(base);
        long saKey = p.getLong(base + 8);
        int flags = p.getUnsignedByte(base + 20);
        if ((flags & 0x0C) != 0) {
            return Task.check(Sense.INVALID_FIELD_IN_PARAMETER_LIST); // SPEC_I_PT, ALL_TG_PT
        }
        ScsiResponse r = apply(t, port, action, scope, requestedType, key, saKey);
        boolean wasPersistent = aptpl;
        if (r.status() == ScsiResponse.GOOD && (action == REGISTER || action == REGISTER_AND_IGNORE)) {
            aptpl = (flags & 0x01) != 0; // SPC-4 5.9.5: the last REGISTER's APTPL decides
        }
        if (r.status() == ScsiResponse.GOOD && (aptpl || wasPersistent)) {
            try {
                store.save(aptpl ? snapshot() : null);
            } catch (RuntimeException e) {
                return Task.check(Sense.INTERNAL_TARGET_FAILURE);
            }
        }
        return r;
    }

    private ScsiResponse apply(Task t, String port, int action, int scope, int requestedType, long key, long saKey) {
        Long registered = registrations.get(port);
        if (action == REGISTER_AND_IGNORE || (action == REGISTER && registered == null && key == 0)) {
            return register(t, port, saKey);
        }
        if (registered == null || registered != key) {
            return ScsiResponse.reservationConflict();
        }
        boolean typed = action == RESERVE || action == RELEASE || action == PREEMPT;
        if (typed && (scope != 0 || !validType(requestedType))) {
            return Task.check(Sense.INVALID_FIELD_IN_CDB);
        }
        return switch (action) {
            case REGISTER -> register(t, port, saKey);
            case RESERVE -> reserve(port, requestedType);
            case RELEASE -> release(t, port, requestedType);
            case CLEAR -> clear(t, port);
            default -> preempt(t, port, saKey, requestedType);
        };
    }

    private static boolean validType(int type) {
        return type == WRITE_EXCLUSIVE || type == EXCLUSIVE_ACCESS || (type >= 5 && type <= 8);
    }

    private ScsiResponse register(Task t, String port, long saKey) {
        if (saKey == 0) {
            if (registrations.remove(port) != null) {
                generation++;
                boolean lastOfAll = allRegistrants(type) && registrations.isEmpty();
                if (port.equals(holder) || lastOfAll) {
                    boolean notify = type == WRITE_EXCLUSIVE_REGISTRANTS_ONLY || type == EXCLUSIVE_ACCESS_REGISTRANTS_ONLY;
                    dropReservation();
                    if (notify) {
                        notifyRegistrants(t, port, Sense.RESERVATIONS_RELEASED);
                    }
                }
            }
            return ScsiResponse.good();
        }
        registrations.put(port, saKey);
        generation++;
        return ScsiResponse.good();
    }

    private ScsiResponse reserve(String port, int requestedType) {
        if (type == 0) {
            type = requestedType;
            holder = allRegistrants(requestedType) ? null : port;
            return ScsiResponse.good();
        }
        return isHolder(port) && type == requestedType ? ScsiResponse.good() : ScsiResponse.reservationConflict();
    }

    private ScsiResponse release(Task t, String port, int requestedType) {
        if (!isHolder(port)) {
            return ScsiResponse.good();
        }
        if (type != requestedType) {
            return Task.check(Sense.INVALID_RELEASE_OF_PERSISTENT_RESERVATION);
        }
        boolean notify = type != WRITE_EXCLUSIVE && type != EXCLUSIVE_ACCESS;
        dropReservation();
        if (notify) {
            notifyRegistrants(t, port, Sense.RESERVATIONS_RELEASED);
        }
        return ScsiResponse.good();
    }

    private ScsiResponse clear(Task t, String port) {
        notifyRegistrants(t, port, Sense.RESERVATIONS_PREEMPTED);
        registrations.clear();
        dropReservation();
        generation++;
        return ScsiResponse.good();
    }

    /** PREEMPT: removes the registrations holding saKey; takes over the reservation if saKey held it. */
    private ScsiResponse preempt(Task t, String port, long saKey, int requestedType) {
        boolean takeOver;
        if (type != 0 && allRegistrants(type)) {
            takeOver = saKey == 0;
        } else {
            if (saKey == 0) {
                return Task.check(Sense.INVALID_FIELD_IN_PARAMETER_LIST);
            }
            takeOver = type != 0 && registrations.getOrDefault(holder, 0L) == saKey;
        }
        List<String> removed = new ArrayList<>();
        for (Map.Entry<String, Long> e : registrations.entrySet()) {
            if (!e.getKey().equals(port) && (saKey == 0 || e.getValue() == saKey)) {
                removed.add(e.getKey());
            }
        }
        if (removed.isEmpty() && !takeOver) {
            return ScsiResponse.reservationConflict();
        }
        removed.forEach(registrations::remove);
        long volumeId = t.volume().id();
        removed.forEach(r -> t.attentions().raise(r, volumeId, Sense.REGISTRATIONS_PREEMPTED));
        if (takeOver) {
            type = requestedType;
            holder = allRegistrants(requestedType) ? null : port;
        }
        generation++;
        return ScsiResponse.good();
    }

    private void dropReservation() {
        type = 0;
        holder = null;
    }

    private void notifyRegistrants(Task t, String except, Sense sense) {
        long volumeId = t.volume().id();
        for (String r : registrations.keySet()) {
            if (!r.equals(except)) {
                t.attentions().raise(r, volumeId, sense);
            }
        }
    }
}
