package io.tamp.datapath.iscsi;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.tamp.datapath.scsi.ScsiTarget;
import java.security.SecureRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One iSCSI connection, target side: the login phase ({@link LoginNegotiator}), then the
 * full feature phase: SCSI commands ({@link ScsiCommandFlow}), Text (SendTargets), NOP,
 * Task Management and Logout. A session has exactly one connection (MaxConnections=1), so
 * this handler also keeps the session's CmdSN window.
 *
 * <p>Bad PDUs end one of three ways (SPDK {@code iscsi_pdu_hdr_handle}): a Reject and the
 * connection goes on, a failed login (Login Response with status class 2 or 3, then
 * close), or the connection dropped.
 *
 * <p>Everything runs on the channel's event loop; {@link ScsiTarget} futures may complete
 * elsewhere and hop back.
 */
public final class IscsiConnectionHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(IscsiConnectionHandler.class);

    static final int RESERVED_TAG = 0xffff_ffff;
    static final int REJECT_PROTOCOL_ERROR = 0x04;
    static final int REJECT_COMMAND_NOT_SUPPORTED = 0x05;
    static final int REJECT_INVALID_PDU_FIELD = 0x09;
    /** The most login text we join across C-bit continuations. */
    static final int MAX_LOGIN_TEXT_BYTES = 64 * 1024;

    private final IscsiTargetConfig config;
    private final ScsiTarget target;
    private final Sessions sessions;
    private Channel channel;
    private final LoginNegotiator negotiator;

    private IscsiPduDecoder decoder;
    private IscsiPduEncoder encoder;
    private SessionParameters session;
    private ScsiCommandFlow commands;
    private ByteBuf loginText;
    private long isid;
    private int cid;
    private boolean loginStarted;

    private int statSn;
    private int expCmdSn;
    private int advertisedMaxCmdSn;
    private int nextPingTag = 1;
    private boolean pingOutstanding;
    private boolean closing;

    public IscsiConnectionHandler(IscsiTargetConfig config, ScsiTarget target, SecureRandom random) {
        this(config, target, new Sessions(config.maxBufferedWriteBytes()), random);
    }

    /** @param sessions the portal group's live sessions, shared by its connections */
    IscsiConnectionHandler(IscsiTargetConfig config, ScsiTarget target, Sessions sessions, SecureRandom random) {
        this.config = config;
        this.target = target;
        this.sessions = sessions;
        this.negotiator = new LoginNegotiator(config, random);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        decoder = ctx.pipeline().get(IscsiPduDecoder.class);
        encoder = ctx.pipeline().get(IscsiPduEncoder.class);
        if (decoder == null || encoder == null) {
            throw new IllegalStateException("IscsiConnectionHandler needs the PDU decoder and encoder before it");
        }
    }

    /** The negotiated session, or null during login. */
    SessionParameters session() {
        return session;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof IscsiDecodeError error) {
            onDecodeError(ctx, error);
            return;
        }
        if (!(msg instanceof IscsiPdu pdu)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            if (closing) {
                return;
            }
            if (session == null) {
                onLoginPdu(ctx, pdu);
            } else {
                onFullFeaturePdu(ctx, pdu);
            }
        } finally {
            pdu.release();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseLoginText();
        if (commands != null) {
            commands.abortAll();
            if (!session.discovery() && sessions.unregister(session.initiatorPort(), this)) {
                target.nexusLost(session.initiatorPort());
            }
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.warn("iSCSI connection {} failed; closing", ctx.channel().remoteAddress(), cause);
        ctx.close();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent && session != null && !closing) {
            if (pingOutstanding) {
                LOG.info("iSCSI initiator {} did not answer a NOP-In ping; closing", session.initiatorName());
                ctx.close();
                return;
            }
            IscsiPdu ping = IscsiPdu.create(ctx.alloc(), IscsiOpcode.NOP_IN);
            ping.bhs().finalFlag(true).initiatorTaskTag(RESERVED_TAG).targetTransferTag(nextPingTag++)
                    .sequenceNumbers(statSn, expCmdSn, maxCmdSn());
            pingOutstanding = true;
            ctx.writeAndFlush(ping);
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    // ---------------------------------------------------------------- login phase

    private void onLoginPdu(ChannelHandlerContext ctx, IscsiPdu pdu) {
        Bhs bhs = pdu.bhs();
        if (pdu.opcode() != IscsiOpcode.LOGIN_REQUEST) {
            // RFC 7143 §6.3: nothing but Login Requests before the full feature phase.
            LOG.info("iSCSI {} sent {} during login; closing", ctx.channel().remoteAddress(), pdu);
            closeNow(ctx);
            return;
        }
        if (!loginStarted) {
            loginStarted = true;
            isid = bhs.isid();
            cid = bhs.cid();
            statSn = bhs.expStatSn();
            expCmdSn = bhs.cmdSn();
            advertisedMaxCmdSn = expCmdSn - 1;
        }
        if (bhs.continueFlag()) {
            if (bhs.transit() || !appendLoginText(ctx, pdu)) {
                failLogin(ctx, bhs, LoginException.initiatorError("bad login text continuation"));
                return;
            }
            // RFC 7143 §11.12.2: acknowledge a partial text with an empty response.
            sendLoginResponse(ctx, bhs, new LoginNegotiator.Step(new TextParameters(), false, bhs.csg(), 0), 0);
            return;
        }
        try {
            TextParameters request = parseLoginText(ctx, pdu);
            LoginNegotiator.Step step = negotiator.process(bhs.transit(), bhs.csg(), bhs.nsg(),
                    bhs.versionMin(), bhs.tsih(), request);
            if (!step.complete()) {
                sendLoginResponse(ctx, bhs, step, 0);
                return;
            }
            int tsih = sessions.nextTsih();
            session = negotiator.parameters(isid, tsih);
            sendLoginResponse(ctx, bhs, step, tsih);
            enterFullFeaturePhase();
        } catch (LoginException e) {
            failLogin(ctx, bhs, e);
        } catch (IscsiTextException e) {
            failLogin(ctx, bhs, LoginException.initiatorError(e.getMessage()));
        }
    }

    private boolean appendLoginText(ChannelHandlerContext ctx, IscsiPdu pdu) {
        if (loginText == null) {
            loginText = ctx.alloc().buffer();
        }
        if (loginText.readableBytes() + pdu.data().readableBytes() > MAX_LOGIN_TEXT_BYTES) {
            return false;
        }
        loginText.writeBytes(pdu.data(), pdu.data().readerIndex(), pdu.data().readableBytes());
        return true;
    }

    private TextParameters parseLoginText(ChannelHandlerContext ctx, IscsiPdu pdu) throws IscsiTextException {
        if (loginText == null) {
            return TextParameters.parse(pdu.data());
        }
        if (!appendLoginText(ctx, pdu)) {
            throw new IscsiTextException("login text over " + MAX_LOGIN_TEXT_BYTES + " bytes");
        }
        try {
            return TextParameters.parse(loginText);
        } finally {
            releaseLoginText();
        }
    }

    private void releaseLoginText() {
        if (loginText != null) {
            loginText.release();
            loginText = null;
        }
    }

    /**
     * The final Login Response went out without digests; from the next PDU on both
     * directions use what was negotiated (RFC 7143 §13.1, §13.12).
     */
    private void enterFullFeaturePhase() {
        decoder.setHeaderDigest(session.headerDigest());
        decoder.setDataDigest(session.dataDigest());
        decoder.setMaxRecvDataSegmentLength(session.targetMaxRecvDataSegment());
        encoder.setHeaderDigest(session.headerDigest());
        encoder.setDataDigest(session.dataDigest());
        encoder.setMaxSendDataSegmentLength(session.initiatorMaxRecvDataSegment());
        commands = new ScsiCommandFlow(config, target, session, this, sessions);
        if (!session.discovery()) {
            IscsiConnectionHandler reinstated = sessions.register(session.initiatorPort(), this);
            if (reinstated != null) {
                LOG.info("iSCSI session {} reinstated: closing its old connection {}", session.initiatorPort(),
                        reinstated.channel.remoteAddress());
                reinstated.channel.close();
            }
            target.nexusStarted(session.initiatorPort());
        }
        LOG.info("iSCSI {} session {} for {} (tsih {}, digests {}/{})", session.discovery() ? "discovery"
                : "normal", session.initiatorPort(), config.targetName(), session.tsih(),
                session.headerDigest() ? "CRC32C" : "None", session.dataDigest() ? "CRC32C" : "None");
    }

    private void sendLoginResponse(ChannelHandlerContext ctx, Bhs request, LoginNegotiator.Step step, int tsih) {
        ByteBuf text = ctx.alloc().buffer(step.response().encodedLength());
        step.response().writeTo(text);
        IscsiPdu response = IscsiPdu.create(ctx.alloc(), IscsiOpcode.LOGIN_RESPONSE, text);
        response.bhs().transit(step.transit()).csg(step.csg()).nsg(step.nsg()).versionMax(0).versionMin(0)
                .isid(isid).tsih(tsih).initiatorTaskTag(request.initiatorTaskTag())
                .sequenceNumbers(statSn++, expCmdSn, maxCmdSn());
        ctx.writeAndFlush(response);
    }

    private void failLogin(ChannelHandlerContext ctx, Bhs request, LoginException e) {
        LOG.info("iSCSI login from {} failed with status 0x{}: {}", ctx.channel().remoteAddress(),
                String.format("%04x", e.status()), e.getMessage());
        IscsiPdu response = IscsiPdu.create(ctx.alloc(), IscsiOpcode.LOGIN_RESPONSE);
        response.bhs().versionMax(0).versionMin(0).csg(request.csg()).isid(isid)
                .initiatorTaskTag(request.initiatorTaskTag()).sequenceNumbers(statSn, expCmdSn, maxCmdSn())
                .loginStatus(e.statusClass(), e.statusDetail());
        closing = true;
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    // ---------------------------------------------------------------- full feature phase

    private void onFullFeaturePdu(ChannelHandlerContext ctx, IscsiPdu pdu) {
        Bhs bhs = pdu.bhs();
        IscsiOpcode opcode = pdu.opcode();
        if (opcode == IscsiOpcode.SCSI_DATA_OUT) {
            commands.onDataOut(ctx, pdu);
            return;
        }
        if (opcode == IscsiOpcode.NOP_OUT && bhs.initiatorTaskTag() == RESERVED_TAG) {
            // An answer to our ping (or a ping that wants none); carries no new CmdSN.
            if (bhs.targetTransferTag() != RESERVED_TAG) {
                pingOutstanding = false;
            }
            return;
        }
        if (!opcode.isInitiatorOpcode() || opcode == IscsiOpcode.LOGIN_REQUEST
                || opcode == IscsiOpcode.SNACK_REQUEST) {
            // SNACK needs ErrorRecoveryLevel > 0; a second Login is a protocol error here.
            reject(ctx, REJECT_PROTOCOL_ERROR, pdu);
            return;
        }
        if (!acceptCmdSn(bhs)) {
            return;
        }
        switch (opcode) {
            case SCSI_COMMAND -> {
                if (session.discovery()) {
                    reject(ctx, REJECT_PROTOCOL_ERROR, pdu);
                } else {
                    commands.onCommand(ctx, pdu);
                }
            }
            case NOP_OUT -> onNopOut(ctx, pdu);
            case TEXT_REQUEST -> onTextRequest(ctx, pdu);
            case TASK_MGMT_REQUEST -> {
                if (session.discovery()) {
                    reject(ctx, REJECT_PROTOCOL_ERROR, pdu);
                } else {
                    commands.onTaskManagement(ctx, pdu);
                }
            }
            case LOGOUT_REQUEST -> onLogout(ctx, pdu);
            default -> reject(ctx, REJECT_COMMAND_NOT_SUPPORTED, pdu);
        }
    }

    /**
     * RFC 7143 §3.2.2.1: a non-immediate command outside [ExpCmdSN, MaxCmdSN] is silently
     * ignored. With one connection per session commands arrive in CmdSN order, so anything
     * but ExpCmdSN is outside the window or a duplicate.
     */
    private boolean acceptCmdSn(Bhs bhs) {
        if (bhs.immediate()) {
            return true;
        }
        int cmdSn = bhs.cmdSn();
        if (cmdSn != expCmdSn || cmdSn - advertisedMaxCmdSn > 0) {
            LOG.debug("iSCSI ignoring CmdSN {} (ExpCmdSN {}, MaxCmdSN {})", cmdSn, expCmdSn, maxCmdSn());
            return false;
        }
        expCmdSn++;
        return true;
    }

    private void onNopOut(ChannelHandlerContext ctx, IscsiPdu pdu) {
        Bhs bhs = pdu.bhs();
        int echoBytes = Math.min(pdu.data().readableBytes(), session.initiatorMaxRecvDataSegment());
        IscsiPdu reply = IscsiPdu.create(ctx.alloc(), IscsiOpcode.NOP_IN,
                pdu.data().retainedSlice(pdu.data().readerIndex(), echoBytes));
        reply.bhs().finalFlag(true).lun(bhs.lun()).initiatorTaskTag(bhs.initiatorTaskTag())
                .targetTransferTag(RESERVED_TAG);
        sendStatus(ctx, reply);
    }

    private void onTextRequest(ChannelHandlerContext ctx, IscsiPdu pdu) {
        Bhs bhs = pdu.bhs();
        if (bhs.continueFlag() || !bhs.finalFlag() || bhs.targetTransferTag() != RESERVED_TAG) {
            // Our answers always fit one PDU; multi-PDU text exchanges are not offered.
            reject(ctx, REJECT_COMMAND_NOT_SUPPORTED, pdu);
            return;
        }
        TextParameters answer;
        try {
            answer = SendTargets.answer(TextParameters.parse(pdu.data()), config, session.discovery(),
                    ctx.channel().localAddress());
        } catch (IscsiTextException e) {
            reject(ctx, REJECT_PROTOCOL_ERROR, pdu);
            return;
        }
        ByteBuf text = ctx.alloc().buffer(answer.encodedLength());
        answer.writeTo(text);
        IscsiPdu response = IscsiPdu.create(ctx.alloc(), IscsiOpcode.TEXT_RESPONSE, text);
        response.bhs().finalFlag(true).initiatorTaskTag(bhs.initiatorTaskTag()).targetTransferTag(RESERVED_TAG);
        sendStatus(ctx, response);
    }

    private void onLogout(ChannelHandlerContext ctx, IscsiPdu pdu) {
        Bhs bhs = pdu.bhs();
        int reason = bhs.function();
        int response;
        if (reason == 0 || (reason == 1 && bhs.cid() == cid)) {
            response = 0;
        } else if (reason == 1) {
            response = 1;
        } else {
            response = 2;
        }
        IscsiPdu logout = IscsiPdu.create(ctx.alloc(), IscsiOpcode.LOGOUT_RESPONSE);
        logout.bhs().finalFlag(true).response(response).initiatorTaskTag(bhs.initiatorTaskTag())
                .logoutTimes(0, 0);
        if (response != 0) {
            sendStatus(ctx, logout);
            return;
        }
        commands.abortAll();
        closing = true;
        logout.bhs().sequenceNumbers(statSn++, expCmdSn, maxCmdSn());
        ctx.writeAndFlush(logout).addListener(ChannelFutureListener.CLOSE);
    }

    private void onDecodeError(ChannelHandlerContext ctx, IscsiDecodeError error) {
        LOG.info("iSCSI {}: {}", ctx.channel().remoteAddress(), error);
        if (session == null) {
            // No Reject exists during login (RFC 7143 §6.3): the only answer is to close.
            closeNow(ctx);
            return;
        }
        int reason = error.kind().rejectReason();
        if (reason != 0) {
            IscsiPdu reject = IscsiPdu.reject(ctx.alloc(), reason, error.header());
            reject.bhs().sequenceNumbers(statSn++, expCmdSn, maxCmdSn());
            if (error.outcome() == IscsiDecodeError.Outcome.REJECT) {
                ctx.writeAndFlush(reject);
                byte[] header = error.header();
                if (commands != null && (header[0] & IscsiOpcode.MASK) == IscsiOpcode.SCSI_DATA_OUT.value()) {
                    // The write this Data-Out belonged to cannot complete at ErrorRecoveryLevel 0.
                    commands.failWrite(ctx, java.nio.ByteBuffer.wrap(header).getInt(16));
                }
                return;
            }
            closing = true;
            ctx.writeAndFlush(reject).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        closeNow(ctx);
    }

    private void closeNow(ChannelHandlerContext ctx) {
        closing = true;
        ctx.close();
    }

    // ---------------------------------------------------------------- sending

    /** Sends a Reject (RFC 7143 §11.17) for {@code pdu}; the connection goes on. */
    void reject(ChannelHandlerContext ctx, int reason, IscsiPdu pdu) {
        byte[] header = new byte[Bhs.LENGTH];
        pdu.bhsBuffer().getBytes(pdu.bhsBuffer().readerIndex(), header);
        IscsiPdu reject = IscsiPdu.reject(ctx.alloc(), reason, header);
        sendStatus(ctx, reject);
    }

    /** Stamps a status-bearing response with StatSN (advancing it) and the window; flushes. */
    void sendStatus(ChannelHandlerContext ctx, IscsiPdu response) {
        writeStatus(ctx, response);
        ctx.flush();
    }

    /** As {@link #sendStatus} without the flush. */
    void writeStatus(ChannelHandlerContext ctx, IscsiPdu response) {
        response.bhs().sequenceNumbers(statSn++, expCmdSn, maxCmdSn());
        ctx.write(response, ctx.voidPromise());
    }

    /** Stamps a PDU that carries but does not advance StatSN (R2T, Data-In without status). */
    void writeWithoutStatus(ChannelHandlerContext ctx, IscsiPdu pdu) {
        pdu.bhs().sequenceNumbers(statSn, expCmdSn, maxCmdSn());
        ctx.write(pdu, ctx.voidPromise());
    }

    /** Cleans up as for a closed connection and closes it. */
    void drop(ChannelHandlerContext ctx) {
        closeNow(ctx);
    }

    /**
     * The window closes as commands are in flight, so at most commandWindow are queued; it
     * never moves back (RFC 7143 §3.2.2.1: initiators ignore a smaller MaxCmdSN).
     */
    private int maxCmdSn() {
        int inFlight = commands == null ? 0 : commands.inFlight();
        int open = expCmdSn + Math.max(0, config.commandWindow() - inFlight) - 1;
        if (open - advertisedMaxCmdSn > 0) {
            advertisedMaxCmdSn = open;
        }
        return advertisedMaxCmdSn;
    }

    static ByteBuf empty() {
        return Unpooled.EMPTY_BUFFER;
    }

    IscsiPduDecoder decoder() {
        return decoder;
    }
}
