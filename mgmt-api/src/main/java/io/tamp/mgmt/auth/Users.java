package io.tamp.mgmt.auth;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tamp.datapath.volume.Engine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's users, kept as controller records ({@code user.<name>}) in the engine's
 * metadata: name, role, salted PBKDF2 hash. Changes are durable on return.
 */
public final class Users {
    private static final Logger LOG = LoggerFactory.getLogger(Users.class);
    private static final String PREFIX = "user.";
    public static final String INITIAL_PASSWORD_FILE = "initial-admin-password";
    private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_.-]{0,63}");

    /** A user as the API shows it (never its hash). */
    public record User(String name, Role role, long createdMillis) {
    }

    private record Stored(User user, Passwords.Hash hash) {
    }

    private final Engine engine;
    private final ObjectMapper json;
    private final Map<String, Stored> byName = new HashMap<>();

    public Users(Engine engine, ObjectMapper json) {
        this.engine = engine;
        this.json = json;
        for (var e : engine.controllerRecords(PREFIX).entrySet()) {
            Stored s = decode(e.getValue());
            byName.put(s.user.name(), s);
        }
    }

    /**
     * First start: with no users, creates {@code admin} with the password from TAMP_ADMIN_PASSWORD,
     * or a generated one written to DATA/initial-admin-password (mode 0600). Never a fixed default.
     */
    public synchronized void ensureAdmin(Path dataDir, String envPassword) throws IOException {
        if (!byName.isEmpty()) {
            return;
        }
        String password = envPassword;
        if (password != null && !password.isEmpty()) {
            String weak = Passwords.weakness(password);
            if (weak != null) {
                throw new IllegalArgumentException("TAMP_ADMIN_PASSWORD: " + weak);
            }
            create("admin", password, Role.ADMIN);
            LOG.info("created user 'admin' with the password from TAMP_ADMIN_PASSWORD");
            return;
        }
        password = Passwords.generate();
        Path file = dataDir.resolve(INITIAL_PASSWORD_FILE);
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, password + "\n", StandardOpenOption.TRUNCATE_EXISTING);
        create("admin", password, Role.ADMIN);
        LOG.warn("created user 'admin'; its generated password is in {} (mode 0600): log in and change it",
                file.toAbsolutePath());
    }

    public synchronized User create(String name, String password, Role role) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("user names are 1-64 characters: a-z, 0-9, '_', '.', '-', "
                    + "starting with a letter or '_'");
        }
        if (byName.containsKey(name)) {
            throw new IllegalStateException("user '" + name + "' already exists");
        }
        String weak = Passwords.weakness(password);
        if (weak != null) {
            throw new IllegalArgumentException(weak);
        }
        Stored s = new Stored(new User(name, role, System.currentTimeMillis()), Passwords.hash(password.toCharArray()));
        persist(name, s);
        byName.put(name, s);
        return s.user;
    }

    /** The user whose name and password match, or null. Costs one PBKDF2 even for unknown names. */
    public Principal login(String name, String password) {
        Stored s;
        synchronized (this) {
            s = byName.get(name);
        }
        if (s == null) {
            Passwords.verify(password.toCharArray(), DUMMY);
            return null;
        }
        return Passwords.verify(password.toCharArray(), s.hash) ? new Principal(name, s.user.role()) : null;
    }

    private static final Passwords.Hash DUMMY = Passwords.hash("not-a-password".toCharArray());

    public synchronized void changePassword(String name, String password) {
        Stored s = require(name);
        String weak = Passwords.weakness(password);
        if (weak != null) {
            throw new IllegalArgumentException(weak);
        }
        Stored n = new Stored(s.user, Passwords.hash(password.toCharArray()));
        persist(name, n);
        byName.put(name, n);
    }

    public synchronized User changeRole(String name, Role role) {
        Stored s = require(name);
        if (s.user.role() == Role.ADMIN && role != Role.ADMIN && admins() == 1) {
            throw new IllegalStateException("'" + name + "' is the last admin");
        }
        Stored n = new Stored(new User(name, role, s.user.createdMillis()), s.hash);
        persist(name, n);
        byName.put(name, n);
        return n.user;
    }

    public synchronized void delete(String name) {
        Stored s = require(name);
        if (s.user.role() == Role.ADMIN && admins() == 1) {
            throw new IllegalStateException("'" + name + "' is the last admin");
        }
        Map<String, byte[]> m = new HashMap<>();
        m.put(PREFIX + name, null);
        engine.putControllerRecords(m);
        byName.remove(name);
    }

    public synchronized User get(String name) {
        Stored s = byName.get(name);
        return s == null ? null : s.user;
    }

    public synchronized List<User> list() {
        List<User> out = new ArrayList<>();
        byName.values().forEach(s -> out.add(s.user));
        out.sort(java.util.Comparator.comparing(User::name));
        return out;
    }

    private long admins() {
        return byName.values().stream().filter(s -> s.user.role() == Role.ADMIN).count();
    }

    private Stored require(String name) {
        Stored s = byName.get(name);
        if (s == null) {
            throw new java.util.NoSuchElementException("user '" + name + "' does not exist");
        }
        return s;
    }

    private void persist(String name, Stored s) {
        ObjectNode n = json.createObjectNode();
        n.put("name", s.user.name()).put("role", s.user.role().jsonName()).put("created", s.user.createdMillis());
        Base64.Encoder b64 = Base64.getEncoder();
        n.put("salt", b64.encodeToString(s.hash.salt())).put("iterations", s.hash.iterations())
                .put("key", b64.encodeToString(s.hash.key()));
        Map<String, byte[]> m = new HashMap<>();
        m.put(PREFIX + name, n.toString().getBytes(StandardCharsets.UTF_8));
        engine.putControllerRecords(m);
    }

    private Stored decode(byte[] v) {
        try {
            var n = json.readTree(v);
            Base64.Decoder b64 = Base64.getDecoder();
            Role role = Role.parse(n.path("role").asText());
            if (role == null) {
                throw new IllegalStateException("user record with unknown role: " + n.path("name").asText());
            }
            return new Stored(new User(n.path("name").asText(), role, n.path("created").asLong()),
                    new Passwords.Hash(b64.decode(n.path("salt").asText()), n.path("iterations").asInt(),
                            b64.decode(n.path("key").asText())));
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt user record", e);
        }
    }
}
