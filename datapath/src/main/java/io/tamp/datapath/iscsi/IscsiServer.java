package io.tamp.datapath.iscsi;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.tamp.datapath.scsi.ScsiTarget;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;

/**
 * The iSCSI portal: accepts TCP connections and gives each a decoder, an encoder and an
 * {@link IscsiConnectionHandler} in front of one {@link ScsiTarget}. {@link #close()} stops
 * accepting, closes every connection and shuts the event loops down.
 */
public final class IscsiServer implements AutoCloseable {
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel serverChannel;

    private IscsiServer(EventLoopGroup boss, EventLoopGroup workers, Channel serverChannel) {
        this.boss = boss;
        this.workers = workers;
        this.serverChannel = serverChannel;
    }

    /**
     * Binds {@code address} (port 0 picks a free port, see {@link #port()}).
     *
     * @param workerThreads event loops for connections; 0 means Netty's default (2 per core)
     */
    public static IscsiServer start(InetSocketAddress address, IscsiTargetConfig config, ScsiTarget target,
            int workerThreads) throws InterruptedException {
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(workerThreads, NioIoHandler.newFactory());
        SecureRandom random = new SecureRandom();
        Sessions sessions = new Sessions();
        try {
            ServerBootstrap bootstrap = new ServerBootstrap()
                    .group(boss, workers)
                    .channel(NioServerSocketChannel.class)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.SO_KEEPALIVE, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            if (config.nopInIntervalMs() > 0) {
                                ch.pipeline().addLast(new IdleStateHandler(config.nopInIntervalMs(), 0, 0,
                                        TimeUnit.MILLISECONDS));
                            }
                            ch.pipeline().addLast(new IscsiPduDecoder(), new IscsiPduEncoder(),
                                    new IscsiConnectionHandler(config, target, sessions, random));
                        }
                    });
            Channel channel = bootstrap.bind(address).sync().channel();
            return new IscsiServer(boss, workers, channel);
        } catch (InterruptedException | RuntimeException e) {
            boss.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            workers.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw e;
        }
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    public int port() {
        return localAddress().getPort();
    }

    @Override
    public void close() {
        serverChannel.close().syncUninterruptibly();
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
