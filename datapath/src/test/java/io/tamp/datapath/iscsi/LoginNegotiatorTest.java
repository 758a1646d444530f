package io.tamp.datapath.iscsi;

import static io.tamp.datapath.iscsi.TestInitiator.INITIATOR;
import static io.tamp.datapath.iscsi.TestInitiator.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The login phase over an EmbeddedChannel: AuthMethod None and CHAP, negotiation, failures. */
class LoginNegotiatorTest {
    private static final String IQN = IscsiTargetConfig.DEFAULT_TARGET_NAME;
    private static final String SECRET = "alice-secret-123";
    private static final String MUTUAL_SECRET = "target-secret-456";
    private static final String OTHER = "iqn.2026-11.io.tamp.test:no-chap";

    private static TextParameters security(String target, String authMethod) throws IscsiTextException {
        TextParameters t = new TextParameters().add("InitiatorName", INITIATOR).add("SessionType", "Normal");
        if (target != null) {
            t.add("TargetName", target);
        }
        return t.add("AuthMethod", authMethod);
    }

    private static TextParameters operational() throws IscsiTextException {
        return new TextParameters().add("HeaderDigest", "CRC32C,None").add("DataDigest", "CRC32C,None")
                .add("MaxRecvDataSegmentLength", "4096").add("MaxBurstLength", "16777215")
                .add("FirstBurstLength", "65536").add("InitialR2T", "No").add("ImmediateData", "Yes")
                .add("MaxOutstandingR2T", "8").add("DataPDUInOrder", "Yes").add("DataSequenceInOrder", "Yes")
                .add("DefaultTime2Wait", "0").add("DefaultTime2Retain", "20").add("ErrorRecoveryLevel", "2")
                .add("MaxConnections", "4").add("IFMarker", "No").add("X-com.example.Foo", "1");
    }

    @Test
    void noneLoginNegotiatesEveryKeyAndSwitchesDigests() throws Exception {
        try (TestInitiator ini = new TestInitiator(IscsiTargetConfig.builder().build(), new FakeScsiDisk(64))) {
            IscsiPdu r1 = ini.login(true, 0, 1, security(IQN, "None"));
            assertEquals(0, r1.bhs().statusClass());
            assertTrue(r1.bhs().transit());
            assertEquals(1, r1.bhs().nsg());
            assertEquals("None", text(r1).get("AuthMethod"));
            assertEquals("1", text(r1).get("TargetPortalGroupTag"));
            assertEquals(0, r1.bhs().tsih());
            int firstStatSn = r1.bhs().statSn();
            r1.release();

            IscsiPdu r2 = ini.login(true, 1, 3, operational());
            TextParameters a = text(r2);
            assertTrue(r2.bhs().transit());
            assertEquals(3, r2.bhs().nsg());
            assertNotEquals(0, r2.bhs().tsih());
            assertEquals(firstStatSn + 1, r2.bhs().statSn());
            assertEquals(1, r2.bhs().expCmdSn());
            assertEquals(128, r2.bhs().maxCmdSn());
            assertEquals("CRC32C", a.get("HeaderDigest"));
            assertEquals("CRC32C", a.get("DataDigest"));
            assertEquals("262144", a.get("MaxRecvDataSegmentLength"));
            assertEquals("1048576", a.get("MaxBurstLength"));
            assertEquals("65536", a.get("FirstBurstLength"));
            assertEquals("No", a.get("InitialR2T"));
            assertEquals("Yes", a.get("ImmediateData"));
            assertEquals("1", a.get("MaxOutstandingR2T"));
            assertEquals("2", a.get("DefaultTime2Wait"));
            assertEquals("0", a.get("DefaultTime2Retain"));
            assertEquals("0", a.get("ErrorRecoveryLevel"));
            assertEquals("1", a.get("MaxConnections"));
            assertEquals("No", a.get("IFMarker"));
            assertEquals("NotUnderstood", a.get("X-com.example.Foo"));
            r2.release();

            // The login response went out plain; from here on both directions carry CRC32C.
            ini.useDigests(true, true, 262144);
            IscsiPdu ping = IscsiPdu.create(UnpooledByteBufAllocator.DEFAULT, IscsiOpcode.NOP_OUT,
                    io.netty.buffer.Unpooled.wrappedBuffer(new byte[] {1, 2, 3, 4, 5}));
            ping.bhs().immediate(true).finalFlag(true).initiatorTaskTag(77).targetTransferTag(-1).cmdSn(1);
            ini.send(ping);
            IscsiPdu pong = ini.receiveOne();
            assertEquals(IscsiOpcode.NOP_IN, pong.opcode());
            assertEquals(77, pong.bhs().initiatorTaskTag());
            assertArrayEquals(new byte[] {1, 2, 3, 4, 5}, io.netty.buffer.ByteBufUtil.getBytes(pong.data()));
            pong.release();
        }
    }

    @Test
    void chapWithMutualAuthentication() throws Exception {
        IscsiTargetConfig config = IscsiTargetConfig.builder().chap(Map.of("alice", SECRET))
                .mutualChap("tamp", MUTUAL_SECRET).build();
        try (TestInitiator ini = new TestInitiator(config, new FakeScsiDisk(64))) {
            IscsiPdu r1 = ini.login(true, 0, 1, security(IQN, "CHAP,None"));
            assertEquals("CHAP", text(r1).get("AuthMethod"));
            assertFalse(r1.bhs().transit());
            r1.release();
            IscsiPdu r2 = ini.login(true, 0, 1, new TextParameters().add("CHAP_A", "7,5"));
            TextParameters challenge = text(r2);
            r2.release();
            assertEquals("5", challenge.get("CHAP_A"));
            int id = Integer.parseInt(challenge.get("CHAP_I"));
            byte[] c = ChapAuthenticator.decodeBinary(challenge.get("CHAP_C"));
            byte[] myChallenge = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6};
            IscsiPdu r3 = ini.login(true, 0, 1, new TextParameters().add("CHAP_N", "alice")
                    .add("CHAP_R", "0x" + HexFormat.of().formatHex(ChapAuthenticator.md5(id, SECRET, c)))
                    .add("CHAP_I", "42").add("CHAP_C", "0x" + HexFormat.of().formatHex(myChallenge)));
            assertEquals(0, r3.bhs().statusClass());
            assertTrue(r3.bhs().transit());
            assertEquals("tamp", text(r3).get("CHAP_N"));
            assertArrayEquals(ChapAuthenticator.md5(42, MUTUAL_SECRET, myChallenge),
                    ChapAuthenticator.decodeBinary(text(r3).get("CHAP_R")));
            r3.release();
            IscsiPdu r4 = ini.login(true, 1, 3, new TextParameters().add("HeaderDigest", "None"));
            assertEquals(0, r4.bhs().statusClass());
            assertNotEquals(0, r4.bhs().tsih());
            r4.release();
        }
    }

    /** Logs in with CHAP as user/secret; returns the final security-stage response (caller releases it). */
    private static IscsiPdu chapLogin(TestInitiator ini, String user, String secret) throws Exception {
        return chapLogin(ini, security(IQN, "CHAP,None"), user, secret);
    }

    /** The same, starting with the given first request (its InitiatorName, SessionType, AuthMethod). */
    private static IscsiPdu chapLogin(TestInitiator ini, TextParameters first, String user, String secret)
            throws Exception {
        IscsiPdu r1 = ini.login(true, 0, 1, first);
        if (r1.bhs().statusClass() != 0) {
            return r1;
        }
        r1.release();
        IscsiPdu r2 = ini.login(false, 0, 0, new TextParameters().add("CHAP_A", "5"));
        int id = Integer.parseInt(text(r2).get("CHAP_I"));
        byte[] c = ChapAuthenticator.decodeBinary(text(r2).get("CHAP_C"));
        r2.release();
        return ini.login(true, 0, 1, new TextParameters().add("CHAP_N", user)
                .add("CHAP_R", "0x" + HexFormat.of().formatHex(ChapAuthenticator.md5(id, secret, c))));
    }

    @Test
    void anInitiatorWithItsOwnCredentialsMustUseExactlyThose() throws Exception {
        java.util.Map<String, InitiatorChap.Credentials> hosts = new java.util.concurrent.ConcurrentHashMap<>();
        hosts.put(INITIATOR, new InitiatorChap.Credentials("host-a", SECRET));
        hosts.put("iqn.2026-11.io.tamp.test:other", new InitiatorChap.Credentials("host-b", "bob-secret-4567"));
        IscsiTargetConfig config = IscsiTargetConfig.builder().initiatorChap(hosts::get).build();
        try (TestInitiator ini = new TestInitiator(config, new FakeScsiDisk(64))) {
            assertStatus(0x0201, ini.login(true, 0, 1, security(IQN, "None")));
        }
        try (TestInitiator ini = new TestInitiator(config, new FakeScsiDisk(64))) {
            assertStatus(0x0201, chapLogin(ini, "host-b", "bob-secret-4567")); // another host's credentials
        }
        try (TestInitiator ini = new TestInitiator(config, new FakeScsiDisk(64))) {
            assertStatus(0x0201, chapLogin(ini, "host-a", "wrong-secret-789"));
        }
        try (TestInitiator ini = new TestInitiator(config, new FakeScsiDisk(64))) {
            IscsiPdu ok = chapLogin(ini, "host-a", SECRET);
            assertEquals(0, ok.bhs().statusClass());
            assertTrue(ok.bhs().transit());
            ok.release();
        }
        // changed between logins: the next login needs the new secret; removed: back to no CHAP
        hosts.put(INITIATOR, new InitiatorChap.Credentials("host-a", "rotated-secret-1"));
        try (TestInitiator ini = new TestInitiator(config, new FakeScsiDisk(64))) {
            assertStatus(0x0201, chapLogin(ini, "host-a", SECRET));
        }
        try (TestInitiator ini = new TestInitiator(config, new FakeScsiDisk(64))) {
            IscsiPdu ok = chapLogin(ini, "host-a", "rotated-secret-1");
            assertEquals(0, ok.bhs().statusClass());
            ok.release();
        }
        hosts.remove(INITIATOR);
        try (TestInitiator ini = new TestInitiator(config, new FakeScsiDisk(64))) {
            IscsiPdu none = ini.login(true, 0, 1, security(IQN, "None"));
            assertEquals(0, none.bhs().statusClass(), "without credentials of its own, no CHAP (global CHAP is off)");
            none.release();
        }
    }

    @Test
    void anInitiatorWithoutCredentialsIsUnaffectedByAnotherHostsChap() throws Exception {
        IscsiTargetConfig config = IscsiTargetConfig.builder()
                .initiatorChap(name -> INITIATOR.equals(name) ? new InitiatorChap.Credentials("host-a", SECRET) : null)
                .build();
        try (TestInitiator ini = new TestInitiator(config, new FakeScsiDisk(64))) {
            IscsiPdu r1 = ini.login(true, 0, 1, new TextParameters().add("InitiatorName", OTHER)
                    .add("SessionType", "Normal").add("TargetName", IQN).add("AuthMethod", "None"));
            assertEquals(0, r1.bhs().statusClass());
            assertEquals("None", text(r1).get("AuthMethod"));
            r1.release();
            IscsiPdu r2 = ini.login(true, 1, 3, new TextParameters().add("HeaderDigest", "None"));
            assertEquals(0, r2.bhs().statusClass());
            assertNotEquals(0, r2.bhs().tsih());
            r2.release();
        }
        try (TestInitiator ini = new TestInitiator(config, new FakeScsiDisk(64))) {
            // skipping the security stage is no way around the initiator's own CHAP
            TextParameters text = new TextParameters().add("InitiatorName", INITIATOR).add("SessionType", "Normal")
                    .add("TargetName", IQN).add("HeaderDigest", "None");
            assertStatus(0x0201, ini.login(true, 1, 3, text));
        }
    }

    @Test
    void discoveryFollowsTheInitiatorsOwnChap() throws Exception {
        IscsiTargetConfig config = IscsiTargetConfig.builder()
                .initiatorChap(name -> INITIATOR.equals(name) ? new InitiatorChap.Credentials("host-a", SECRET) : null)
                .build();
        try (TestInitiator ini = new TestInitiator(config, new FakeScsiDisk(64))) {
            assertStatus(0x0201, ini.login(true, 0, 3, new TextParameters().add("InitiatorName", INITIATOR)
                    .add("SessionType", "Discovery").add("AuthMethod", "None")));
        }
        try (TestInitiator ini = new TestInitiator(config, new FakeScsiDisk(64))) {
            assertStatus(0x0201, chapLogin(ini, discovery(INITIATOR), "host-b", "bob-secret-4567"));
        }
        try (TestInitiator ini = new TestInitiator(config, new FakeScsiDisk(64))) {
            IscsiPdu ok = chapLogin(ini, discovery(INITIATOR), "host-a", SECRET);
            assertEquals(0, ok.bhs().statusClass());
            ok.release();
            IscsiPdu ffp = ini.login(true, 1, 3, new TextParameters().add("HeaderDigest", "None"));
            assertEquals(0, ffp.bhs().statusClass());
            ffp.release();
            assertEquals(IQN, sendTargets(ini).get("TargetName"));
        }
        try (TestInitiator ini = new TestInitiator(config, new FakeScsiDisk(64))) {
            IscsiPdu open = ini.login(true, 0, 3, discovery(OTHER));
            assertEquals(0, open.bhs().statusClass(), "an initiator without credentials discovers without CHAP");
            open.release();
            assertEquals(IQN, sendTargets(ini).get("TargetName"));
        }
    }

    @Test
    void aSessionAlreadyLoggedInOutlivesAChangeOfItsCredentials() throws Exception {
        java.util.Map<String, InitiatorChap.Credentials> hosts = new java.util.concurrent.ConcurrentHashMap<>();
        hosts.put(INITIATOR, new InitiatorChap.Credentials("host-a", SECRET));
        IscsiTargetConfig config = IscsiTargetConfig.builder().initiatorChap(hosts::get).build();
        try (TestInitiator ini = new TestInitiator(config, new FakeScsiDisk(64))) {
            IscsiPdu ok = chapLogin(ini, "host-a", SECRET);
            assertEquals(0, ok.bhs().statusClass());
            ok.release();
            IscsiPdu ffp = ini.login(true, 1, 3, new TextParameters().add("HeaderDigest", "None"));
            assertEquals(0, ffp.bhs().statusClass());
            ffp.release();

            hosts.put(INITIATOR, new InitiatorChap.Credentials("host-a", "rotated-secret-1"));
            IscsiPdu ping = IscsiPdu.create(UnpooledByteBufAllocator.DEFAULT, IscsiOpcode.NOP_OUT,
                    io.netty.buffer.Unpooled.EMPTY_BUFFER);
            ping.bhs().immediate(true).finalFlag(true).initiatorTaskTag(78).targetTransferTag(-1).cmdSn(1);
            ini.send(ping);
            IscsiPdu pong = ini.receiveOne();
            assertEquals(IscsiOpcode.NOP_IN, pong.opcode(), "the logged-in session carries on");
            assertEquals(78, pong.bhs().initiatorTaskTag());
            pong.release();
            assertTrue(ini.target.isActive());
        }
    }

    private static TextParameters discovery(String initiator) throws IscsiTextException {
        return new TextParameters().add("InitiatorName", initiator).add("SessionType", "Discovery")
                .add("AuthMethod", "CHAP,None");
    }

    private static TextParameters sendTargets(TestInitiator ini) throws IscsiTextException {
        IscsiPdu req = IscsiPdu.create(UnpooledByteBufAllocator.DEFAULT, IscsiOpcode.TEXT_REQUEST,
                TestInitiator.bytes(new TextParameters().add("SendTargets", "All")));
        req.bhs().finalFlag(true).initiatorTaskTag(ini.nextItt()).targetTransferTag(-1).cmdSn(1);
        ini.send(req);
        IscsiPdu resp = ini.receiveOne();
        try {
            assertEquals(IscsiOpcode.TEXT_RESPONSE, resp.opcode());
            return text(resp);
        } finally {
            resp.release();
        }
    }

    @Test
    void initiatorAndTargetNamesMatchInAnyCase() throws Exception {
        String shouted = INITIATOR.toUpperCase(java.util.Locale.ROOT);
        IscsiTargetConfig config = IscsiTargetConfig.builder()
                .initiatorChap(name -> INITIATOR.equals(name) ? new InitiatorChap.Credentials("host-a", SECRET) : null)
                .allowedInitiators(Set.of(shouted)).build();
        String target = IQN.toUpperCase(java.util.Locale.ROOT);
        TextParameters first = new TextParameters().add("InitiatorName", shouted).add("SessionType", "Normal")
                .add("TargetName", target).add("AuthMethod", "CHAP,None");
        try (TestInitiator ini = new TestInitiator(config, new FakeScsiDisk(64))) {
            IscsiPdu none = ini.login(true, 0, 1, new TextParameters().add("InitiatorName", shouted)
                    .add("SessionType", "Normal").add("TargetName", target).add("AuthMethod", "None"));
            assertStatus(0x0201, none); // the host's CHAP binds the name however it is spelt
        }
        try (TestInitiator ini = new TestInitiator(config, new FakeScsiDisk(64))) {
            IscsiPdu ok = chapLogin(ini, first, "host-a", SECRET);
            assertEquals(0, ok.bhs().statusClass(), "an upper-case TargetName and allow-list entry match too");
            ok.release();
            IscsiPdu ffp = ini.login(true, 1, 3, new TextParameters().add("HeaderDigest", "None"));
            assertEquals(0, ffp.bhs().statusClass());
            ffp.release();
        }
        try (TestInitiator ini = new TestInitiator(IscsiTargetConfig.builder().build(), new FakeScsiDisk(64))) {
            IscsiPdu open = ini.login(true, 0, 3, discovery(INITIATOR));
            open.release();
            IscsiPdu req = IscsiPdu.create(UnpooledByteBufAllocator.DEFAULT, IscsiOpcode.TEXT_REQUEST,
                    TestInitiator.bytes(new TextParameters().add("SendTargets", target)));
            req.bhs().finalFlag(true).initiatorTaskTag(ini.nextItt()).targetTransferTag(-1).cmdSn(1);
            ini.send(req);
            IscsiPdu resp = ini.receiveOne();
            assertEquals(IQN, text(resp).get("TargetName"), "SendTargets=<our name in capitals> names us");
            resp.release();
        }
    }

    @Test
    void globalSecretsDoNotOpenAnInitiatorThatHasItsOwn() throws Exception {
        IscsiTargetConfig config = IscsiTargetConfig.builder().chap(Map.of("alice", SECRET))
                .initiatorChap(name -> INITIATOR.equals(name) ? new InitiatorChap.Credentials("host-a", "host-a-secret-9")
                        : null).build();
        try (TestInitiator ini = new TestInitiator(config, new FakeScsiDisk(64))) {
            assertStatus(0x0201, chapLogin(ini, "alice", SECRET));
        }
        try (TestInitiator ini = new TestInitiator(config, new FakeScsiDisk(64))) {
            IscsiPdu ok = chapLogin(ini, "host-a", "host-a-secret-9");
            assertEquals(0, ok.bhs().statusClass());
            ok.release();
        }
    }

    @Test
    void chapWrongSecretFailsWithAuthenticationFailure() throws Exception {
        IscsiTargetConfig config = IscsiTargetConfig.builder().chap(Map.of("alice", SECRET)).build();
        try (TestInitiator ini = new TestInitiator(config, new FakeScsiDisk(64))) {
            ini.login(true, 0, 1, security(IQN, "CHAP")).release();
            IscsiPdu r2 = ini.login(false, 0, 0, new TextParameters().add("CHAP_A", "5"));
            int id = Integer.parseInt(text(r2).get("CHAP_I"));
            byte[] c = ChapAuthenticator.decodeBinary(text(r2).get("CHAP_C"));
            r2.release();
            IscsiPdu r3 = ini.login(true, 0, 1, new TextParameters().add("CHAP_N", "alice")
                    .add("CHAP_R", "0x" + HexFormat.of().formatHex(ChapAuthenticator.md5(id, "wrong-secret-789", c))));
            assertStatus(0x0201, r3);
            assertFalse(ini.target.isActive());
        }
    }

    @Test
    void chapRequiredButInitiatorOffersNone() throws Exception {
        IscsiTargetConfig config = IscsiTargetConfig.builder().chap(Map.of("alice", SECRET)).build();
        try (TestInitiator ini = new TestInitiator(config, new FakeScsiDisk(64))) {
            assertStatus(0x0201, ini.login(true, 0, 1, security(IQN, "None")));
        }
    }

    @Test
    void chapRequiredButInitiatorStartsInOperationalNegotiation() throws Exception {
        IscsiTargetConfig config = IscsiTargetConfig.builder().chap(Map.of("alice", SECRET)).build();
        try (TestInitiator ini = new TestInitiator(config, new FakeScsiDisk(64))) {
            // CSG=1 straight away, no AuthMethod at all: must not reach the full feature phase
            TextParameters text = new TextParameters().add("InitiatorName", IQN).add("SessionType", "Normal")
                    .add("TargetName", IscsiTargetConfig.DEFAULT_TARGET_NAME).add("HeaderDigest", "None");
            assertStatus(0x0201, ini.login(true, 1, 3, text));
            assertFalse(ini.target.isActive(), "the connection closes after a failed login");
        }
    }

    @Test
    void unknownTargetIsNotFound() throws Exception {
        try (TestInitiator ini = new TestInitiator(IscsiTargetConfig.builder().build(), new FakeScsiDisk(64))) {
            assertStatus(0x0203, ini.login(true, 0, 1, security("iqn.2026-11.io.tamp:nobody", "None")));
            assertFalse(ini.target.isActive());
        }
    }

    @Test
    void initiatorNotAllowedIsAuthorizationFailure() throws Exception {
        IscsiTargetConfig config = IscsiTargetConfig.builder()
                .allowedInitiators(Set.of("iqn.2026-11.io.tamp:someone-else")).build();
        try (TestInitiator ini = new TestInitiator(config, new FakeScsiDisk(64))) {
            assertStatus(0x0202, ini.login(true, 0, 1, security(IQN, "None")));
        }
    }

    @Test
    void malformedTextIsInitiatorError() {
        try (TestInitiator ini = new TestInitiator(IscsiTargetConfig.builder().build(), new FakeScsiDisk(64))) {
            IscsiPdu pdu = IscsiPdu.create(UnpooledByteBufAllocator.DEFAULT, IscsiOpcode.LOGIN_REQUEST,
                    io.netty.buffer.Unpooled.copiedBuffer("InitiatorName\0", java.nio.charset.StandardCharsets.UTF_8));
            pdu.bhs().immediate(true).transit(true).csg(0).nsg(1).isid(TestInitiator.ISID);
            ini.send(pdu);
            assertStatus(0x0200, ini.receiveOne());
        }
    }

    @Test
    void discoverySessionAnswersSendTargets() throws Exception {
        try (TestInitiator ini = new TestInitiator(IscsiTargetConfig.builder().build(), new FakeScsiDisk(64))) {
            IscsiPdu r1 = ini.login(true, 0, 3, new TextParameters().add("InitiatorName", INITIATOR)
                    .add("SessionType", "Discovery").add("AuthMethod", "None"));
            assertEquals(0, r1.bhs().statusClass());
            assertNull(text(r1).get("TargetPortalGroupTag"));
            assertEquals(3, r1.bhs().nsg());
            r1.release();
            IscsiPdu req = IscsiPdu.create(UnpooledByteBufAllocator.DEFAULT, IscsiOpcode.TEXT_REQUEST,
                    TestInitiator.bytes(new TextParameters().add("SendTargets", "All")));
            req.bhs().finalFlag(true).initiatorTaskTag(5).targetTransferTag(-1).cmdSn(1);
            ini.send(req);
            IscsiPdu resp = ini.receiveOne();
            assertEquals(IscsiOpcode.TEXT_RESPONSE, resp.opcode());
            assertEquals(IQN, text(resp).get("TargetName"));
            assertTrue(text(resp).get("TargetAddress").endsWith(",1"), text(resp).toString());
            assertEquals(2, resp.bhs().expCmdSn());
            resp.release();
        }
    }

    private static void assertStatus(int status, IscsiPdu response) {
        try {
            assertEquals(IscsiOpcode.LOGIN_RESPONSE, response.opcode());
            assertEquals(status, response.bhs().statusClass() << 8 | response.bhs().statusDetail(),
                    String.format("status 0x%02x%02x", response.bhs().statusClass(), response.bhs().statusDetail()));
            assertFalse(response.bhs().transit());
        } finally {
            response.release();
        }
    }
}
