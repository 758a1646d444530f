package io.tamp.datapath.nvmetcp;

import io.tamp.datapath.frontend.TcpListener;
import io.tamp.datapath.nvme.NvmeSubsystem;
import java.net.InetSocketAddress;

/**
 * The NVMe/TCP port: a {@link TcpListener} whose connections (queues) each get the NVMe/TCP
 * decoder, encoder and {@link NvmeTcpConnectionHandler} in front of the subsystem; the port is
 * registered with the subsystem so its discovery log names it.
 */
public final class NvmeTcpServer implements AutoCloseable {
    private final TcpListener listener;

    private NvmeTcpServer(TcpListener listener) {
        this.listener = listener;
    }

    /** Binds {@code address} (port 0 picks a free port); {@code eventLoops} 0 means one per core. */
    public static NvmeTcpServer start(InetSocketAddress address, NvmeSubsystem subsystem, int eventLoops)
            throws InterruptedException {
        TcpListener listener = TcpListener.start(address, eventLoops, p -> p.addLast(
                new NvmeTcpDecoder(NvmeSubsystem.ADMIN_IN_CAPSULE_BYTES, NvmeTcpConnectionHandler.MAX_H2C_DATA),
                new NvmeTcpEncoder(), new NvmeTcpConnectionHandler(subsystem)));
        subsystem.addPort(listener.localAddress());
        return new NvmeTcpServer(listener);
    }

    public InetSocketAddress localAddress() {
        return listener.localAddress();
    }

    public int port() {
        return listener.port();
    }

    @Override
    public void close() {
        listener.close();
    }
}
