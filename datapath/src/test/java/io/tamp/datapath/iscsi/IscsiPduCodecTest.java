package io.tamp.datapath.iscsi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.EncoderException;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Encoder to decoder round trips over every opcode, digest setting and padding case. */
class IscsiPduCodecTest {
    private static final int[] DATA_LENGTHS = {0, 1, 3, 4, 5, 8192};

    /** A PDU of {@code opcode} with every BHS byte after the lengths random. */
    private static IscsiPdu randomPdu(IscsiOpcode opcode, int dataBytes, int ahsBytes, Random random) {
        ByteBuf bhs = Unpooled.buffer(Bhs.LENGTH);
        byte[] header = new byte[Bhs.LENGTH];
        random.nextBytes(header);
        bhs.writeBytes(header);
        byte[] ahsBytesArray = new byte[ahsBytes];
        random.nextBytes(ahsBytesArray);
        byte[] data = new byte[dataBytes];
        random.nextBytes(data);
        IscsiPdu pdu = new IscsiPdu(bhs, Unpooled.wrappedBuffer(ahsBytesArray), Unpooled.wrappedBuffer(data));
        pdu.bhs().opcode(opcode).immediate(random.nextBoolean())
                .totalAhsLength(ahsBytes / 4).dataSegmentLength(dataBytes);
        return pdu;
    }

    private static PduTraces.Frame expected(IscsiPdu pdu) {
        return new PduTraces.Frame(io.netty.buffer.ByteBufUtil.getBytes(pdu.bhsBuffer()),
                io.netty.buffer.ByteBufUtil.getBytes(pdu.ahs()),
                io.netty.buffer.ByteBufUtil.getBytes(pdu.data()));
    }

    @ParameterizedTest
    @EnumSource(IscsiOpcode.class)
    void roundTrip(IscsiOpcode opcode) {
        long seed = opcode.ordinal() * 7919L;
        Random random = new Random(seed);
        for (boolean headerDigest : new boolean[] {false, true}) {
            for (boolean dataDigest : new boolean[] {false, true}) {
                for (int ahsBytes : new int[] {0, 8, 256}) {
                    for (int dataBytes : DATA_LENGTHS) {
                        String what = opcode + " hd=" + headerDigest + " dd=" + dataDigest
                                + " ahs=" + ahsBytes + " data=" + dataBytes + " seed=" + seed;
                        IscsiPdu pdu = randomPdu(opcode, dataBytes, ahsBytes, random);
                        PduTraces.Frame want = expected(pdu);
                        byte[] wire = PduTraces.encode(pdu, headerDigest, dataDigest);
                        int padded = (dataBytes + 3) & ~3;
                        assertEquals(48 + ahsBytes + (headerDigest ? 4 : 0) + padded
                                + (dataDigest && dataBytes > 0 ? 4 : 0), wire.length, what);
                        // Half the cases cut the trace at a random offset as well.
                        int[] cuts = random.nextBoolean() ? new int[0]
                                : new int[] {1 + random.nextInt(wire.length - 1)};
                        List<Object> out = PduTraces.decode(wire, cuts, d -> {
                            d.setHeaderDigest(headerDigest);
                            d.setDataDigest(dataDigest);
                        });
                        assertEquals(List.of(want), out, what);
                    }
                }
            }
        }
    }

    @Test
    void targetSettersLandAtTheirOffsets() {
        IscsiPdu pdu = IscsiPdu.create(ByteBufAllocator.DEFAULT, IscsiOpcode.SCSI_DATA_IN,
                Unpooled.wrappedBuffer(new byte[] {1, 2, 3}));
        pdu.bhs().finalFlag(true).statusFlag(true).status(0x02).residual(512)
                .lun(0x0001_0000_0000_0000L).initiatorTaskTag(0x11223344)
                .targetTransferTag(0xffff_ffff).sequenceNumbers(7, 8, 9).dataSn(3)
                .bufferOffset(0x10000);
        byte[] wire = PduTraces.encode(pdu, false, false);
        byte[] bhs = java.util.Arrays.copyOf(wire, 48);
        assertEquals(0x25, bhs[0]);
        assertEquals((byte) 0x83, bhs[1]); // F, U, S
        assertEquals(0x02, bhs[3]);
        assertArrayEquals(new byte[] {0, 0, 3}, java.util.Arrays.copyOfRange(bhs, 5, 8));
        assertArrayEquals(new byte[] {0, 1, 0, 0, 0, 0, 0, 0}, java.util.Arrays.copyOfRange(bhs, 8, 16));
        assertArrayEquals(new byte[] {0x11, 0x22, 0x33, 0x44}, java.util.Arrays.copyOfRange(bhs, 16, 20));
        assertArrayEquals(new byte[] {0, 0, 0, 7, 0, 0, 0, 8, 0, 0, 0, 9, 0, 0, 0, 3, 0, 1, 0, 0, 0, 0, 2, 0},
                java.util.Arrays.copyOfRange(bhs, 24, 48));
    }

    @Test
    void loginResponseAndRejectFields() {
        IscsiPdu login = IscsiPdu.create(ByteBufAllocator.DEFAULT, IscsiOpcode.LOGIN_RESPONSE);
        login.bhs().transit(true).csg(1).nsg(3).versionMax(0).versionMin(0)
                .isid(0x0002_3d00_0001L).tsih(0x1234).loginStatus(0x02, 0x01);
        byte[] wire = PduTraces.encode(login, false, false);
        assertEquals(0x23, wire[0]);
        assertEquals((byte) 0x87, wire[1]);
        assertArrayEquals(new byte[] {0, 2, 0x3d, 0, 0, 1, 0x12, 0x34},
                java.util.Arrays.copyOfRange(wire, 8, 16));
        assertEquals(0x02, wire[36]);
        assertEquals(0x01, wire[37]);

        byte[] rejected = new byte[48];
        rejected[0] = 0x01;
        IscsiPdu reject = IscsiPdu.reject(ByteBufAllocator.DEFAULT, 0x02, rejected);
        Bhs r = reject.bhs();
        assertEquals(IscsiOpcode.REJECT, r.opcode());
        assertEquals(0x02, r.rejectReason());
        assertEquals(-1, r.initiatorTaskTag());
        assertEquals(48, r.dataSegmentLength());
        byte[] rejectWire = PduTraces.encode(reject, true, true);
        assertEquals(48 + 4 + 48 + 4, rejectWire.length);
    }

    @Test
    void encoderRefusesDataBeyondThePeersLimit() {
        IscsiPduEncoder encoder = new IscsiPduEncoder();
        EmbeddedChannel channel = new EmbeddedChannel(encoder);
        IscsiPdu pdu = IscsiPdu.create(ByteBufAllocator.DEFAULT, IscsiOpcode.SCSI_DATA_IN,
                Unpooled.wrappedBuffer(new byte[8193]));
        assertThrows(EncoderException.class, () -> channel.writeOutbound(pdu));
        assertEquals(0, pdu.refCnt());
        channel.finishAndReleaseAll();
    }
}
