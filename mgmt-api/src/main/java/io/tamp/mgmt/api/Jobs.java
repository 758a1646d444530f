package io.tamp.mgmt.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Long operations the API answers before they finish (202 Accepted with a job): a volume's
 * deletion returns at once and releases its blocks in the background. A job is RUNNING until its
 * completion check holds, then COMPLETED; jobs live in memory and the last {@link #KEPT} are kept.
 */
public final class Jobs {
    static final int KEPT = 1000;

    public enum State { RUNNING, COMPLETED }

    /** What the API shows of a job. */
    public record Job(long id, String kind, String resourceType, long resourceId, String description,
                      String state, String user, long startedMillis, Long finishedMillis) {
    }

    private final class Entry {
        final long id;
        final String kind;
        final String resourceType;
        final long resourceId;
        final String description;
        final String user;
        final long started;
        final BooleanSupplier done;
        volatile Long finished;

        Entry(long id, String kind, String resourceType, long resourceId, String description, String user,
              BooleanSupplier done) {
            this.id = id;
            this.kind = kind;
            this.resourceType = resourceType;
            this.resourceId = resourceId;
            this.description = description;
            this.user = user;
            this.started = clock.getAsLong();
            this.done = done;
        }

        Job view() {
            if (finished == null && done.getAsBoolean()) {
                finished = clock.getAsLong();
            }
            return new Job(id, kind, resourceType, resourceId, description,
                    (finished == null ? State.RUNNING : State.COMPLETED).name().toLowerCase(java.util.Locale.ROOT),
                    user, started, finished);
        }
    }

    private final Map<Long, Entry> jobs = new ConcurrentSkipListMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final LongSupplier clock;

    public Jobs(LongSupplier clockMillis) {
        this.clock = clockMillis;
    }

    public Job start(String kind, String resourceType, long resourceId, String description, String user,
                     BooleanSupplier done) {
        Entry e = new Entry(ids.incrementAndGet(), kind, resourceType, resourceId, description, user, done);
        jobs.put(e.id, e);
        while (jobs.size() > KEPT) {
            jobs.remove(jobs.keySet().iterator().next());
        }
        return e.view();
    }

    public Job get(long id) {
        Entry e = jobs.get(id);
        return e == null ? null : e.view();
    }

    public List<Job> list() {
        List<Job> out = new ArrayList<>();
        jobs.values().forEach(e -> out.add(e.view()));
        return out;
    }
}
