package io.tamp.mgmt.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.tamp.mgmt.auth.Access;
import io.tamp.mgmt.auth.Principal;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The management API's HTTP/1.1 server on Netty: TLS when given a context, request bodies up to
 * {@link #MAX_BODY_BYTES}, keep-alive, and idle connections closed after a minute. Decoding runs on
 * the event loop; handlers run on a small pool of their own (they may wait on a durable catalog
 * commit), never on the data path's threads. Every error leaves as RFC 7807 problem+json.
 */
public final class ApiServer implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
    public static final int MAX_BODY_BYTES = 1 << 20;
    public static final String PROBLEM_JSON = "application/problem+json";
    static final int HANDLER_THREADS = 4;
    static final int QUEUED_REQUESTS = 1024;

    private final Router router;
    private final Authenticator auth;
    private final AuditSink audit;
    private final ObjectMapper json;
    private final EventLoopGroup group;
    private final ThreadPoolExecutor handlers;
    private final Channel channel;

    private ApiServer(Router router, Authenticator auth, AuditSink audit, ObjectMapper json, SslContext tls,
                      InetSocketAddress bind) throws IOException {
        this.router = router;
        this.auth = auth;
        this.audit = audit;
        this.json = json;
        this.handlers = new ThreadPoolExecutor(HANDLER_THREADS, HANDLER_THREADS, 0, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(QUEUED_REQUESTS), r -> {
                    Thread t = new Thread(r, "tamp-api");
                    t.setDaemon(true);
                    return t;
                });
        this.group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        ServerBootstrap b = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ChannelPipeline p = ch.pipeline();
                        if (tls != null) {
                            p.addLast(tls.newHandler(ch.alloc()));
                        }
                        p.addLast(new IdleStateHandler(0, 0, 60, TimeUnit.SECONDS));
                        p.addLast(new HttpServerCodec(4096, 16384, 8192));
                        p.addLast(new Aggregator());
                        p.addLast(new Handler());
                    }
                });
        try {
            this.channel = b.bind(bind).sync().channel();
        } catch (Exception e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            handlers.shutdownNow();
            throw new IOException("cannot listen on " + bind + ": " + e.getMessage(), e);
        }
    }

    public static ApiServer start(InetSocketAddress bind, SslContext tls, Router router, Authenticator auth,
                                  AuditSink audit, ObjectMapper json) throws IOException {
        return new ApiServer(router, auth, audit, json, tls, bind);
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        handlers.shutdown();
    }

    /**
     * Bodies over the limit get a 413 problem (Netty's default answer would be a bare 413). On a
     * keep-alive connection the rest of the body is read and dropped by the aggregator, so the
     * client, still sending, is not reset before it reads the answer; otherwise the connection
     * closes after it.
     */
    private final class Aggregator extends HttpObjectAggregator {
        Aggregator() {
            super(MAX_BODY_BYTES, true);
        }

        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
            ApiException e = new ApiException(413, "body_too_large",
                    "request bodies are limited to " + MAX_BODY_BYTES + " bytes");
            FullHttpResponse r = response(problem(e, oversized instanceof io.netty.handler.codec.http.HttpRequest req
                    ? req.uri() : null), e.status(), PROBLEM_JSON);
            boolean keep = HttpUtil.isKeepAlive(oversized) && !HttpUtil.is100ContinueExpected(oversized);
            send(ctx, r, keep);
        }
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            if (req.decoderResult().isFailure()) {
                ApiException e = new ApiException(400, "malformed_request",
                        "not a valid HTTP request: " + req.decoderResult().cause().getMessage());
                send(ctx, response(problem(e, null), 400, PROBLEM_JSON), false);
                return;
            }
            req.retain();
            String remote = String.valueOf(ctx.channel().remoteAddress());
            try {
                handlers.execute(() -> {
                    FullHttpResponse r;
                    try {
                        r = dispatch(req, remote);
                    } finally {
                        req.release();
                    }
                    ctx.executor().execute(() -> send(ctx, r, keepAlive));
                });
            } catch (RejectedExecutionException e) {
                req.release();
                ApiException busy = new ApiException(503, "busy", "too many requests queued; retry later");
                send(ctx, response(problem(busy, req.uri()), 503, PROBLEM_JSON), keepAlive);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof IdleStateEvent) {
                ctx.close();
            } else {
                super.userEventTriggered(ctx, evt);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("API connection {} dropped: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        }
    }

    private void send(ChannelHandlerContext ctx, FullHttpResponse r, boolean keepAlive) {
        if (keepAlive) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(r);
        } else {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Runs one request on a handler thread: route, authenticate, authorize, parse, handle, answer. */
    FullHttpResponse dispatch(FullHttpRequest req, String remote) {
        QueryStringDecoder uri = new QueryStringDecoder(req.uri());
        String method = req.method().name();
        Principal who = null;
        String token = null;
        int status;
        FullHttpResponse out;
        Route route = null;
        try {
            Router.Match match = router.resolve(method, uri.path());
            route = match.route();
            if (route.access() != Access.PUBLIC) {
                token = bearer(req);
                who = auth.authenticate(token);
                if (who == null) {
                    throw new ApiException(401, "unauthenticated", "the token is unknown or has expired; log in again");
                }
                if (!who.role().allows(route.access())) {
                    throw new ApiException(403, "forbidden", "user '" + who.username() + "' (" + who.role().jsonName()
                            + ") may not " + method + " " + uri.path());
                }
            }
            JsonNode body = parseBody(req, route);
            ApiResponse r = route.handler().handle(new ApiRequest(method, uri.path(), match.params(),
                    uri.parameters(), body, who, token, remote));
            status = r.status();
            out = response(r.body() == null ? null : encode(r), r.status(), r.contentType());
        } catch (RuntimeException e) {
            ApiException a = e instanceof ApiException x ? x : router.translate(e);
            if (a == null) {
                LOG.error("API {} {} failed", method, uri.path(), e);
                a = new ApiException(500, "internal_error", "the controller could not complete the request: " + e);
            }
            status = a.status();
            out = response(problem(a, uri.path()), a.status(), PROBLEM_JSON);
            if (a.status() == 401) {
                out.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"tamp\"");
            }
        } catch (Exception | Error e) {
            LOG.error("API {} {} failed", method, uri.path(), e);
            ApiException internal = new ApiException(500, "internal_error",
                    "the controller could not complete the request: " + e);
            status = 500;
            out = response(problem(internal, uri.path()), 500, PROBLEM_JSON);
        }
        if (!method.equals("GET") && route != null && route.access() != Access.PUBLIC) {
            audit.changeAttempted(who, method, uri.path(), status, remote);
        }
        return out;
    }

    private static String bearer(FullHttpRequest req) {
        String h = req.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (h == null || !h.regionMatches(true, 0, "Bearer ", 0, 7) || h.length() == 7) {
            throw new ApiException(401, "unauthenticated", "a bearer token is required (POST /api/v1/login)");
        }
        return h.substring(7).trim();
    }

    private JsonNode parseBody(FullHttpRequest req, Route route) {
        int length = req.content().readableBytes();
        if (route.body() == null) {
            if (length > 0) {
                throw new ApiException(400, "unexpected_body", route.method() + " " + route.template()
                        + " takes no request body");
            }
            return null;
        }
        if (length == 0) {
            throw new ApiException(400, "invalid_json", "a JSON request body is required");
        }
        String type = req.headers().get(HttpHeaderNames.CONTENT_TYPE);
        if (type != null && !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            throw new ApiException(415, "unsupported_media_type", "request bodies must be application/json");
        }
        JsonNode node;
        try {
            node = json.readTree(new ByteBufInputStream(req.content()));
        } catch (IOException e) {
            throw new ApiException(400, "invalid_json", "the request body is not valid JSON: "
                    + firstLine(e.getMessage()));
        }
        return route.body().validate(node);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private byte[] encode(ApiResponse r) {
        if (r.body() instanceof String s && !ApiResponse.JSON.equals(r.contentType())) {
            return s.getBytes(StandardCharsets.UTF_8);
        }
        try {
            return json.writeValueAsBytes(r.body());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode response", e);
        }
    }

    private byte[] problem(ApiException e, String instance) {
        ObjectNode p = json.createObjectNode();
        p.put("type", "urn:tamp:problem:" + e.code());
        p.put("title", HttpResponseStatus.valueOf(e.status()).reasonPhrase());
        p.put("status", e.status());
        p.put("code", e.code());
        p.put("detail", e.getMessage());
        if (e.field() != null) {
            p.put("field", e.field());
        }
        if (instance != null) {
            p.put("instance", instance);
        }
        try {
            return json.writeValueAsBytes(p);
        } catch (JsonProcessingException x) {
            throw new IllegalStateException(x);
        }
    }

    private static FullHttpResponse response(byte[] body, int status, String contentType) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
                body == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        if (body != null) {
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        }
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body == null ? 0 : body.length);
        r.headers().set("X-Content-Type-Options", "nosniff");
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        return r;
    }
}
