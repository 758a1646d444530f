package io.tamp.datapath.iscsi;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The key=value pairs of a Login or Text data segment (RFC 7143 §6.1): UTF-8, every pair
 * followed by one NUL, order and duplicates preserved (the negotiation rules decide what a
 * duplicate means, not this class).
 *
 * <p>Parse the whole logical text segment: when the C bit splits text over several PDUs
 * the caller concatenates their data segments first, because a pair may span PDUs.
 *
 * <p>Limits: a key-name is 1-63 bytes, starts with a capital letter and uses letters,
 * digits and {@code . - + @ _} ({@code #} too, for the {@code X#} form of registered
 * extension keys). A value is at most 255 bytes, except the authentication keys that
 * carry large binary values ({@link #LARGE_VALUE_KEYS}), which may reach
 * {@link #MAX_LARGE_VALUE_BYTES}.
 */
public final class TextParameters implements Iterable<TextParameters.Entry> {
    public static final int MAX_KEY_BYTES = 63;
    public static final int MAX_VALUE_BYTES = 255;
    public static final int MAX_LARGE_VALUE_BYTES = 8192;
    /** CHAP and SRP keys whose values are large binary numbers (RFC 7143 §12.1). */
    public static final Set<String> LARGE_VALUE_KEYS = Set.of(
            "CHAP_C", "CHAP_R", "SRP_s", "SRP_A", "SRP_B", "SRP_M", "SRP_HM");

    /** One pair. */
    public record Entry(String key, String value) {
    }

    private final List<Entry> entries;

    public TextParameters() {
        this.entries = new ArrayList<>();
    }

    private TextParameters(List<Entry> entries) {
        this.entries = entries;
    }

    /** Parses the readable bytes of {@code text} without consuming them. */
    public static TextParameters parse(ByteBuf text) throws IscsiTextException {
        ByteBuffer nio = text.nioBufferCount() == 1
                ? text.nioBuffer(text.readerIndex(), text.readableBytes())
                : ByteBuffer.wrap(ByteBufUtil.getBytes(text));
        return parse(nio);
    }

    public static TextParameters parse(byte[] text) throws IscsiTextException {
        return parse(ByteBuffer.wrap(text));
    }

    private static TextParameters parse(ByteBuffer text) throws IscsiTextException {
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        List<Entry> entries = new ArrayList<>();
        int start = text.position();
        int end = text.limit();
        int pairStart = start;
        while (pairStart < end) {
            int nul = indexOf(text, (byte) 0, pairStart, end);
            if (nul < 0) {
                throw new IscsiTextException("key=value pair at byte " + (pairStart - start)
                        + " is not terminated by NUL");
            }
            int eq = indexOf(text, (byte) '=', pairStart, nul);
            if (eq < 0) {
                throw new IscsiTextException("pair at byte " + (pairStart - start)
                        + " has no '='");
            }
            String key = decode(utf8, text, pairStart, eq, pairStart - start);
            checkKey(key, eq - pairStart);
            int valueBytes = nul - eq - 1;
            checkValueLength(key, valueBytes);
            String value = decode(utf8, text, eq + 1, nul, eq + 1 - start);
            entries.add(new Entry(key, value));
            pairStart = nul + 1;
        }
        return new TextParameters(entries);
    }

    /** Appends a pair after checking it against the same rules as {@link #parse}. */
    public TextParameters add(String key, String value) throws IscsiTextException {
        byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
        checkKey(key, keyBytes.length);
        byte[] valueBytes = value.getBytes(StandardCharsets.UTF_8);
        if (value.indexOf('\0') >= 0) {
            throw new IscsiTextException("value of " + key + " contains NUL");
        }
        checkValueLength(key, valueBytes.length);
        entries.add(new Entry(key, value));
        return this;
    }

    public List<Entry> entries() {
        return Collections.unmodifiableList(entries);
    }

    public int size() {
        return entries.size();
    }

    /** The value of the first pair named {@code key}, or {@code null}. */
    public String get(String key) {
        for (Entry e : entries) {
            if (e.key().equals(key)) {
                return e.value();
            }
        }
        return null;
    }

    /** Every value of {@code key}, in order. */
    public List<String> getAll(String key) {
        List<String> values = new ArrayList<>();
        for (Entry e : entries) {
            if (e.key().equals(key)) {
                values.add(e.value());
            }
        }
        return values;
    }

    @Override
    public Iterator<Entry> iterator() {
        return entries().iterator();
    }

    /** Bytes {@link #writeTo} will write. */
    public int encodedLength() {
        int bytes = 0;
        for (Entry e : entries) {
            bytes += utf8Length(e.key()) + 1 + utf8Length(e.value()) + 1;
        }
        return bytes;
    }

    /** Writes every pair as {@code key=value\0}. */
    public void writeTo(ByteBuf out) {
        for (Entry e : entries) {
            out.writeCharSequence(e.key(), StandardCharsets.UTF_8);
            out.writeByte('=');
            out.writeCharSequence(e.value(), StandardCharsets.UTF_8);
            out.writeByte(0);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TextParameters other && entries.equals(other.entries);
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }

    @Override
    public String toString() {
        return entries.toString();
    }

    private static void checkKey(String key, int keyBytes) throws IscsiTextException {
        if (keyBytes == 0) {
            throw new IscsiTextException("empty key-name");
        }
        if (keyBytes > MAX_KEY_BYTES) {
            throw new IscsiTextException("key-name of " + keyBytes + " bytes exceeds "
                    + MAX_KEY_BYTES + ": " + key.substring(0, Math.min(key.length(), 16)) + "...");
        }
        char first = key.charAt(0);
        if (first < 'A' || first > 'Z') {
            throw new IscsiTextException("key-name does not start with a capital letter: " + key);
        }
        for (int i = 1; i < key.length(); i++) {
            char c = key.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '-' || c == '+' || c == '@' || c == '_' || c == '#';
            if (!ok) {
                throw new IscsiTextException("key-name has character 0x"
                        + Integer.toHexString(c) + " at " + i + ": " + key);
            }
        }
    }

    private static void checkValueLength(String key, int valueBytes) throws IscsiTextException {
        int max = LARGE_VALUE_KEYS.contains(key) ? MAX_LARGE_VALUE_BYTES : MAX_VALUE_BYTES;
        if (valueBytes > max) {
            throw new IscsiTextException("value of " + key + " is " + valueBytes
                    + " bytes, limit " + max);
        }
    }

    private static String decode(CharsetDecoder utf8, ByteBuffer text, int from, int to,
            int reportOffset) throws IscsiTextException {
        ByteBuffer slice = text.duplicate();
        slice.limit(to).position(from);
        try {
            CharBuffer chars = utf8.reset().decode(slice);
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw new IscsiTextException("invalid UTF-8 at byte " + reportOffset
                    + " (" + e.getMessage() + ")");
        }
    }

    private static int indexOf(ByteBuffer text, byte b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (text.get(i) == b) {
                return i;
            }
        }
        return -1;
    }

    private static int utf8Length(String s) {
        return ByteBufUtil.utf8Bytes(s);
    }
}
