package io.tamp.datapath.iscsi;

import io.netty.handler.timeout.IdleStateHandler;
import io.tamp.datapath.frontend.TcpListener;
import io.tamp.datapath.scsi.ScsiTarget;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;

/**
 * The iSCSI portal: a {@link TcpListener} whose connections each get a decoder, an encoder and
 * an {@link IscsiConnectionHandler} in front of one {@link ScsiTarget}. {@link #close()} stops
 * accepting, closes every connection and shuts the event loops down.
 */
public final class IscsiServer implements AutoCloseable {
    private final TcpListener listener;

    private IscsiServer(TcpListener listener) {
        this.listener = listener;
    }

    /**
     * Binds {@code address} (port 0 picks a free port, see {@link #port()}).
     *
     * @param workerThreads event loops for connections; 0 means one per core
     */
    public static IscsiServer start(InetSocketAddress address, IscsiTargetConfig config, ScsiTarget target,
            int workerThreads) throws InterruptedException {
        SecureRandom random = new SecureRandom();
        Sessions sessions = new Sessions(config.maxBufferedWriteBytes());
        return new IscsiServer(TcpListener.start(address, workerThreads, p -> {
            if (config.nopInIntervalMs() > 0) {
                p.addLast(new IdleStateHandler(config.nopInIntervalMs(), 0, 0, TimeUnit.MILLISECONDS));
            }
            p.addLast(new IscsiPduDecoder(), new IscsiPduEncoder(),
                    new IscsiConnectionHandler(config, target, sessions, random));
        }));
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
