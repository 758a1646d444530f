package io.tamp.perf.load;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * One queue of the load: one TCP connection, a writer thread that keeps up to {@code qd}
 * commands in flight and a reader thread that parses what the target sends and completes them.
 * A command lives in a slot (0..qd-1); the slot number is its tag on the wire (NVMe CID, iSCSI
 * ITT), so the reader finds it without a map. The writer batches every free slot it finds into
 * one socket write. Latency runs from just before that write to the parse of the completing PDU.
 * At queue depth 1 a single thread sends each command and reads its completion (no hand-off
 * between threads, as fio's synchronous engines do), so QD1 latency is the target's and the
 * network's, not the load generator's.
 *
 * <p>The protocol subclasses encode commands ({@link #encode}), parse one PDU ({@link #readPdu})
 * and may hold commands back ({@link #windowOpen}, iSCSI's CmdSN window). Before the threads
 * start, the same parser serves synchronous set-up commands (slot {@link #SYNC}).
 */
abstract class LoadQueue implements AutoCloseable {
    static final int SYNC = -1;
    static final long HIGHEST_NS = TimeUnit.SECONDS.toNanos(120);

    final int index;
    final int qd;
    final Socket socket;
    final DataInputStream in;
    final OutputStream out;
    final Object outLock = new Object();

    // per slot; start != 0 means in flight
    final AtomicLongArray start;
    final long[] offset;
    final boolean[] isWrite;
    final byte[][] data;
    final ArrayBlockingQueue<Integer> free;

    Workload workload;
    Run run;
    private SplittableRandom random;
    protected byte[] sendBuf = new byte[0];
    protected int sendLen;
    protected final byte[] sink = new byte[1 << 20];

    // reader-owned results
    final Histogram histogram = new Histogram(HIGHEST_NS, 3);
    long completed;
    long errors;
    final List<String> errorSamples = new ArrayList<>();
    volatile Throwable readerFailure;
    volatile boolean closing;
    volatile String lastPdu = "";

    // the synchronous set-up command
    protected boolean syncDone;
    protected boolean syncOk;
    protected String syncError;
    protected byte[] syncData;
    protected int syncDataLen;
    protected long syncDw0;

    private Thread writer;
    private Thread reader;

    /** Shared timing of one run: completions in [measureStart, measureEnd) count. */
    static final class Run {
        volatile long measureStart = Long.MAX_VALUE;
        volatile long measureEnd = Long.MAX_VALUE;
        volatile boolean stop;
    }

    LoadQueue(int index, String host, int port, int qd) throws IOException {
        this.index = index;
        this.qd = qd;
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.setReceiveBufferSize(1 << 20);
        socket.setSendBufferSize(1 << 20);
        socket.connect(new InetSocketAddress(host, port), 5000);
        socket.setSoTimeout(30_000);
        in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 1 << 18));
        out = socket.getOutputStream();
        start = new AtomicLongArray(Math.max(qd, 1));
        offset = new long[Math.max(qd, 1)];
        isWrite = new boolean[Math.max(qd, 1)];
        data = new byte[Math.max(qd, 1)][];
        free = new ArrayBlockingQueue<>(Math.max(qd, 1));
    }

    /** Encodes the command in {@code slot} (offset, isWrite, data set) at sendBuf[sendLen..]. */
    abstract void encode(int slot);

    /** Room in sendBuf for one command of the workload. */
    abstract int maxEncodedBytes();

    /** False while the target's window does not admit another command (iSCSI MaxCmdSN). */
    boolean windowOpen() {
        return true;
    }

    /** Reads and handles one PDU. Throws EOFException when the target closed the connection. */
    abstract void readPdu() throws IOException;

    /** Orderly goodbye before the socket closes (iSCSI Logout); waits at most a moment. */
    void goodbye() {
    }

    void prepare(Workload w, Run r, long seed) {
        workload = w;
        run = r;
        random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + index);
        for (int s = 0; s < qd; s++) {
            data[s] = w.write ? new byte[w.bs] : null;
            free.add(s);
        }
        sendBuf = new byte[qd * maxEncodedBytes()];
    }

    void startThreads() {
        if (qd == 1) {
            // one command at a time: send it and read its completion on the same thread, as a
            // synchronous initiator does; a reader thread would add a hand-off to every command
            writer = new Thread(this::syncLoop, "load-sync-" + index);
            writer.setDaemon(true);
            writer.start();
            return;
        }
        reader = new Thread(this::readLoop, "load-reader-" + index);
        writer = new Thread(this::writeLoop, "load-writer-" + index);
        reader.setDaemon(true);
        writer.setDaemon(true);
        reader.start();
        writer.start();
    }

    int inFlight() {
        return qd - free.size();
    }

    boolean writerDone() {
        return writer == null || !writer.isAlive();
    }

    /** Slots in flight longer than {@code ns}, described; empty if none. */
    List<String> stuck(long now, long ns) {
        List<String> out = new ArrayList<>();
        for (int s = 0; s < qd; s++) {
            long t = start.get(s);
            if (t != 0 && now - t > ns) {
                out.add(String.format("queue %d tag %d %s offset %d age %.1f s", index, s,
                        isWrite[s] ? "write" : "read", offset[s], (now - t) / 1e9));
            }
        }
        return out;
    }

    private void writeLoop() {
        int[] batch = new int[qd];
        try {
            while (!run.stop) {
                Integer s = free.poll(50, TimeUnit.MILLISECONDS);
                if (s == null) {
                    continue;
                }
                sendLen = 0;
                int n = 0;
                boolean exhausted = false;
                while (s != null) {
                    if (!windowOpen()) {
                        if (n > 0 || run.stop) {
                            free.add(s); // send what we have; this slot waits for the window
                            break;
                        }
                        LockSupport.parkNanos(20_000);
                        continue;
                    }
                    if (!encodeNext(s)) {
                        free.add(s);
                        exhausted = true;
                        break;
                    }
                    batch[n++] = s;
                    s = free.poll();
                }
                if (n > 0) {
                    long t = System.nanoTime();
                    for (int i = 0; i < n; i++) {
                        start.set(batch[i], t);
                    }
                    synchronized (outLock) {
                        out.write(sendBuf, 0, sendLen);
                    }
                }
                if (exhausted) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            if (!closing && readerFailure == null) {
                readerFailure = e;
            }
        }
    }

    /** Queue depth 1: issue, then read PDUs until the command completes, on one thread. */
    private void syncLoop() {
        try {
            while (!run.stop) {
                while (!windowOpen()) {
                    readPdu(); // only the target's next PDU can move its window
                }
                int s = free.remove();
                sendLen = 0;
                if (!encodeNext(s)) {
                    free.add(s);
                    return;
                }
                start.set(s, System.nanoTime());
                synchronized (outLock) {
                    out.write(sendBuf, 0, sendLen);
                }
                while (free.isEmpty()) {
                    readPdu();
                }
            }
        } catch (Throwable e) {
            readFailed(e);
        }
    }

    /** Sets up slot s with the workload's next command and encodes it; false when the workload is done. */
    private boolean encodeNext(int s) {
        long off = workload.next(random);
        if (off < 0) {
            return false;
        }
        offset[s] = off;
        isWrite[s] = workload.write;
        if (workload.write) {
            workload.fill(data[s], random);
        }
        encode(s);
        return true;
    }

    private void readLoop() {
        try {
            while (true) {
                readPdu();
            }
        } catch (Throwable e) {
            readFailed(e);
        }
    }

    /** Records why reading stopped, unless the queue is closing. */
    private void readFailed(Throwable e) {
        if (closing) {
            return;
        }
        readerFailure = e instanceof EOFException || e instanceof SocketException
                ? new IOException("queue " + index + ": connection closed by the target with "
                        + inFlight() + " command(s) in flight; last PDU: " + lastPdu, e)
                : e;
    }

    /** Completes the command in {@code slot}; error is null on success. */
    void complete(int slot, String error) {
        if (slot == SYNC) {
            syncDone = true;
            syncOk = error == null;
            syncError = error;
            return;
        }
        long t0 = start.get(slot);
        if (t0 == 0) {
            throw new IllegalStateException("queue " + index + ": completion for tag " + slot
                    + " which is not in flight; last PDU: " + lastPdu);
        }
        long end = System.nanoTime();
        start.set(slot, 0);
        if (end >= run.measureStart && end < run.measureEnd) {
            histogram.recordValue(Math.min(end - t0, HIGHEST_NS));
            completed++;
            if (error != null) {
                errors++;
            }
        }
        if (error != null && errorSamples.size() < 5) {
            errorSamples.add(String.format("queue %d tag %d %s offset %d: %s", index, slot,
                    isWrite[slot] ? "write" : "read", offset[slot], error));
        }
        free.add(slot);
    }

    /** Skips n bytes of payload, or copies them into the synchronous command's buffer. */
    void payload(int slot, int at, int n) throws IOException {
        if (slot == SYNC && syncData != null && at + n <= syncData.length) {
            in.readFully(syncData, at, n);
            syncDataLen = Math.max(syncDataLen, at + n);
            return;
        }
        while (n > 0) {
            int k = Math.min(n, sink.length);
            in.readFully(sink, 0, k);
            n -= k;
        }
    }

    /** Runs the synchronous command already written to the socket until it completes. */
    void awaitSync() throws IOException {
        syncDone = false;
        while (!syncDone) {
            readPdu();
        }
    }

    /** Waits for the threads; closes the connection. */
    @Override
    public void close() throws IOException {
        closing = true;
        try {
            if (writer != null) {
                writer.join(2000);
            }
            goodbye();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            socket.close();
        }
        try {
            if (reader != null) {
                reader.join(2000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String hex(byte[] b, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(String.format("%02x", b[i] & 0xFF));
            if (i % 4 == 3 && i + 1 < n) {
                sb.append(' ');
            }
        }
        return sb.toString();
    }
}
