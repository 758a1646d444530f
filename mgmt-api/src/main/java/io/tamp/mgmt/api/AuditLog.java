package io.tamp.mgmt.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tamp.mgmt.auth.Principal;
import io.tamp.mgmt.http.AuditSink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who changed what, when: every API request that tries a change (and every login), with its
 * outcome, appended as one JSON line to DATA/audit.log (which survives restarts) and kept in
 * memory for {@code GET /api/v1/audit_events}. Request bodies are never logged: they carry passwords.
 */
public final class AuditLog implements AuditSink {
    private static final Logger LOG = LoggerFactory.getLogger("io.tamp.audit");
    static final int KEPT = 1000;

    public record Event(String timestamp, String user, String method, String path, int status, String remote) {
    }

    private final Path file;
    private final ObjectMapper json;
    private final LongSupplier clock;
    private final ArrayDeque<Event> recent = new ArrayDeque<>();

    public AuditLog(Path file, ObjectMapper json, LongSupplier clockMillis) {
        this.file = file;
        this.json = json;
        this.clock = clockMillis;
    }

    @Override
    public void changeAttempted(Principal who, String method, String path, int status, String remote) {
        Event e = new Event(Instant.ofEpochMilli(clock.getAsLong()).toString(), who == null ? null : who.username(),
                method, path, status, remote);
        byte[] line;
        try {
            line = (json.writeValueAsString(e) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
        synchronized (this) {
            try {
                Files.write(file, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException x) {
                LOG.error("cannot append to {}: {}", file, x.toString());
            }
            recent.addLast(e);
            if (recent.size() > KEPT) {
                recent.removeFirst();
            }
        }
        LOG.info("{} {} {} -> {}", e.user() == null ? "-" : e.user(), method, path, status);
    }

    public synchronized List<Event> recent() {
        return new ArrayList<>(recent);
    }
}
