package io.tamp.datapath.iscsi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class TextParametersTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String message(String text) {
        return assertThrows(IscsiTextException.class, () -> TextParameters.parse(utf8(text))).getMessage();
    }

    @Test
    void roundTripPreservesOrderAndDuplicates() throws Exception {
        String text = "HeaderDigest=CRC32C,None\0MaxRecvDataSegmentLength=262144\0"
                + "X-com.example.Note=a=b\0HeaderDigest=None\0TargetAlias=caf\u00e9\0Empty=\0";
        TextParameters params = TextParameters.parse(utf8(text));
        assertEquals(6, params.size());
        assertEquals(List.of("CRC32C,None", "None"), params.getAll("HeaderDigest"));
        assertEquals("CRC32C,None", params.get("HeaderDigest"));
        assertEquals("a=b", params.get("X-com.example.Note"));
        assertEquals("caf\u00e9", params.get("TargetAlias"));
        assertEquals("", params.get("Empty"));
        assertEquals(List.of("HeaderDigest", "MaxRecvDataSegmentLength", "X-com.example.Note",
                "HeaderDigest", "TargetAlias", "Empty"),
                params.entries().stream().map(TextParameters.Entry::key).toList());

        ByteBuf out = Unpooled.buffer();
        params.writeTo(out);
        assertEquals(params.encodedLength(), out.readableBytes());
        byte[] written = new byte[out.readableBytes()];
        out.getBytes(0, written);
        assertArrayEquals(utf8(text), written);
        assertEquals(params, TextParameters.parse(out));
        assertEquals(0, out.readerIndex(), "parse does not consume");
        assertTrue(out.release());
    }

    @Test
    void builtParametersEncodeLikeParsedOnes() throws Exception {
        TextParameters built = new TextParameters()
                .add("TargetName", "iqn.2025-01.io.tamp:vol0")
                .add("AuthMethod", "None");
        ByteBuf out = Unpooled.buffer();
        built.writeTo(out);
        assertEquals(built, TextParameters.parse(out));
        out.release();
        assertEquals(0, TextParameters.parse(new byte[0]).size());
    }

    @Test
    void malformedTextIsRejectedWithAReason() {
        assertTrue(message("AuthMethod\0").contains("no '='"));
        assertTrue(message("AuthMethod=None").contains("not terminated by NUL"));
        assertTrue(message("=None\0").contains("empty key-name"));
        assertTrue(message("\0").contains("no '='"));
        assertTrue(message("authMethod=None\0").contains("capital letter"));
        assertTrue(message("Auth Method=None\0").contains("character 0x20"));
        assertTrue(message("K" + "x".repeat(63) + "=v\0").contains("64 bytes"));
        assertTrue(message("TargetAlias=" + "v".repeat(256) + "\0").contains("256 bytes"));
    }

    @Test
    void limitsAreInclusive() throws Exception {
        String key = "K" + "x".repeat(62);
        TextParameters params = TextParameters.parse(utf8(key + "=" + "v".repeat(255) + "\0"));
        assertEquals(255, params.get(key).length());
        // CHAP challenges and responses are large binary values.
        String challenge = "0x" + "ab".repeat(512);
        assertEquals(challenge, TextParameters.parse(utf8("CHAP_C=" + challenge + "\0")).get("CHAP_C"));
        assertThrows(IscsiTextException.class,
                () -> TextParameters.parse(utf8("CHAP_C=" + "a".repeat(8193) + "\0")));
    }

    @Test
    void invalidUtf8IsRejected() {
        byte[] text = {'T', 'a', '=', (byte) 0xc3, (byte) 0x28, 0};
        IscsiTextException e = assertThrows(IscsiTextException.class, () -> TextParameters.parse(text));
        assertTrue(e.getMessage().contains("UTF-8"), e.getMessage());
        byte[] overlong = {'T', 'a', '=', (byte) 0xc0, (byte) 0xaf, 0};
        assertThrows(IscsiTextException.class, () -> TextParameters.parse(overlong));
        byte[] keyBytes = {'T', (byte) 0xff, '=', 'v', 0};
        assertThrows(IscsiTextException.class, () -> TextParameters.parse(keyBytes));
    }

    @Test
    void addChecksLikeParse() {
        TextParameters params = new TextParameters();
        assertThrows(IscsiTextException.class, () -> params.add("bad", "v"));
        assertThrows(IscsiTextException.class, () -> params.add("Key", "v\0w"));
        assertThrows(IscsiTextException.class, () -> params.add("Key", "v".repeat(256)));
        assertEquals(0, params.size());
    }
}
