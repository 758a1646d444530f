package io.tamp.datapath.iscsi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Arbitrary bytes, cut into arbitrary pieces, under arbitrary digest settings: the decoder
 * emits only PDUs and documented errors, never throws, and leaks nothing. A plain test run
 * replays the seed corpus in {@code IscsiPduDecoderFuzzTestInputs/}; set JAZZER_FUZZ=1 to
 * fuzz.
 */
class IscsiPduDecoderFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void decoderSurvivesAnyInput(FuzzedDataProvider in) {
        IscsiPduDecoder decoder = new IscsiPduDecoder();
        decoder.setHeaderDigest(in.consumeBoolean());
        decoder.setDataDigest(in.consumeBoolean());
        decoder.setMaxRecvDataSegmentLength(in.consumeInt(512, 65536));
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        List<ByteBuf> handedIn = new ArrayList<>();
        List<ByteBuf> takenOut = new ArrayList<>();
        boolean failed = false;
        while (in.remainingBytes() > 0) {
            byte[] piece = in.consumeBytes(in.consumeInt(1, 4096));
            if (piece.length == 0) {
                break; // the provider took the length from the last bytes
            }
            ByteBuf buf = Unpooled.wrappedBuffer(piece);
            handedIn.add(buf);
            channel.writeInbound(buf);
            failed |= collect(channel, takenOut);
        }
        channel.finish();
        failed |= collect(channel, takenOut);
        if (failed) {
            assertEquals(IscsiPduDecoder.State.FAILED, decoder.state());
        }
        for (ByteBuf b : takenOut) {
            PduTraces.assertReleased(b);
        }
        for (ByteBuf b : handedIn) {
            assertEquals(0, b.refCnt(), "input buffer still referenced");
        }
    }

    /** Releases what came out; true if a connection-dropping error was among it. */
    private static boolean collect(EmbeddedChannel channel, List<ByteBuf> takenOut) {
        boolean drop = false;
        Object msg;
        while ((msg = channel.readInbound()) != null) {
            if (msg instanceof IscsiPdu pdu) {
                takenOut.add(pdu.bhsBuffer());
                takenOut.add(pdu.ahs());
                takenOut.add(pdu.data());
                pdu.release();
            } else if (msg instanceof IscsiDecodeError error) {
                drop |= error.outcome() == IscsiDecodeError.Outcome.DROP_CONNECTION;
            } else {
                throw new AssertionError("decoder emitted " + msg);
            }
        }
        return drop;
    }
}
