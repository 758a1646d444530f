package io.tamp.datapath.iscsi;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Answers a Text Request (RFC 7143 Appendix C): SendTargets=All in a discovery session,
 * SendTargets=&lt;empty&gt; or our own name in any session, with TargetName and the portal the
 * initiator reached us on. Other keys are answered NotUnderstood.
 */
final class SendTargets {
    private SendTargets() {
    }

    static TextParameters answer(TextParameters request, IscsiTargetConfig config, boolean discovery,
            SocketAddress localAddress) throws IscsiTextException {
        TextParameters answer = new TextParameters();
        for (TextParameters.Entry e : request) {
            if (!e.key().equals("SendTargets")) {
                answer.add(e.key(), "NotUnderstood");
                continue;
            }
            String which = e.value();
            boolean all = which.equals("All") && discovery;
            if (all || which.isEmpty() || IscsiNames.same(which, config.targetName())) {
                answer.add("TargetName", config.targetName());
                answer.add("TargetAddress", portal(localAddress) + "," + config.targetPortalGroupTag());
            } else if (!which.equals("All")) {
                continue;
            } else {
                answer.add("SendTargets", "Reject");
            }
        }
        return answer;
    }

    /** "host:port", the IPv6 host in brackets (RFC 7143 §13.8). */
    static String portal(SocketAddress address) {
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            String host = inet.getAddress().getHostAddress();
            int zone = host.indexOf('%');
            if (zone >= 0) {
                host = host.substring(0, zone);
            }
            if (inet.getAddress() instanceof Inet6Address) {
                host = "[" + host + "]";
            }
            return host + ":" + inet.getPort();
        }
        return "0.0.0.0:3260";
    }
}
