package io.tamp.datapath.frontend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * A test client's wire: a blocking TCP connection to 127.0.0.1 whose outgoing messages go
 * through an encoder and incoming bytes through a decoder, each in an EmbeddedChannel, so the
 * test speaks the protocol with the codec of its choice and can also put raw bytes on the wire.
 */
public final class SocketPipe implements AutoCloseable {
    public final Socket socket;
    private final OutputStream out;
    private final InputStream in;
    private final EmbeddedChannel encoding;
    private final EmbeddedChannel decoding;

    public SocketPipe(int port, ChannelHandler encoder, ChannelHandler decoder) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(10_000);
        socket.setTcpNoDelay(true);
        out = socket.getOutputStream();
        in = socket.getInputStream();
        encoding = new EmbeddedChannel(encoder);
        decoding = new EmbeddedChannel(decoder);
    }

    /** Encodes and sends one message. */
    public void send(Object message) throws IOException {
        sendTogether(message);
    }

    /** Encodes the messages and sends them in one write, so they reach the peer together. */
    public void sendTogether(Object... messages) throws IOException {
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        for (Object message : messages) {
            encoding.writeOutbound(message);
            ByteBuf b;
            while ((b = encoding.readOutbound()) != null) {
                byte[] bytes = new byte[b.readableBytes()];
                b.readBytes(bytes);
                b.release();
                all.writeBytes(bytes);
            }
        }
        out.write(all.toByteArray());
        out.flush();
    }

    public void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** The next decoded message; null when the peer closed the connection. */
    public Object receive() throws IOException {
        while (true) {
            Object message = decoding.readInbound();
            if (message != null) {
                return message;
            }
            byte[] chunk = new byte[65536];
            int n = in.read(chunk);
            if (n < 0) {
                return null;
            }
            decoding.writeInbound(Unpooled.wrappedBuffer(chunk, 0, n));
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
        encoding.finishAndReleaseAll();
        Object o;
        while ((o = decoding.readInbound()) != null) {
            ReferenceCountUtil.release(o);
        }
        decoding.finishAndReleaseAll();
    }
}
