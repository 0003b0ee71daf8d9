#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
#
# igmp-tool.py - hosts, a sniffer and a foreign querier for the IGMP netns
# scenarios (tests/netns/igmp-*.sh).  Runs inside a test namespace (the
# scripts start it with `ip netns exec`), so every packet stays between the
# test's own namespaces.  The memberships are made with ordinary sockets:
# the host kernel sends the IGMP reports and leaves itself.
#
#   igmp-tool.py host GROUP PORT IFADDR [SRC[,SRC...]]
#       join GROUP (any source, or the listed sources with
#       IP_ADD_SOURCE_MEMBERSHIP) on the interface with IFADDR; print
#       "JOINED", then "RX <src> <payload>" per datagram; SIGUSR1 leaves
#       (prints "LEFT"), SIGTERM ends.
#   igmp-tool.py sniff [IFADDR]
#       print every IGMP packet this namespace receives (with IFADDR it
#       first joins 224.0.0.22 and 224.0.0.2 there, or v3 reports and v2
#       leaves would not be delivered to a mere host):
#       "IGMP <src> <dst> <type-hex> [<rectype>:<group>:<nsrc> ...]", for a
#       query "IGMP <src> <dst> 0x11 <group> v1|v2|v3", and for a v3 query
#       also " qrv=<n> qqic=0x<hex> qqi=<seconds>" (RFC 3376 4.1.7)
#   igmp-tool.py query IFADDR COUNT INTERVAL_S [VERSION]
#       send COUNT IGMP general queries from IFADDR (TTL 1, router alert),
#       v3 (default) or v2; print "QUERY <n>" after each.
import signal
import socket
import struct
import sys
import time

IP_ADD_SOURCE_MEMBERSHIP = getattr(socket, "IP_ADD_SOURCE_MEMBERSHIP", 39)
IP_DROP_SOURCE_MEMBERSHIP = getattr(socket, "IP_DROP_SOURCE_MEMBERSHIP", 40)


def cksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def code_value(c):
    """RFC 3376 4.1.1: a Max Resp Code or QQIC as a number."""
    return c if c < 128 else ((c & 0x0F) | 0x10) << (((c >> 4) & 7) + 3)


def host(group, port, ifaddr, srcs=""):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("", int(port)))
    g, i = socket.inet_aton(group), socket.inet_aton(ifaddr)
    sources = [x for x in srcs.split(",") if x]
    if sources:
        reqs = [g + i + socket.inet_aton(x) for x in sources]
        for r in reqs:
            s.setsockopt(socket.IPPROTO_IP, IP_ADD_SOURCE_MEMBERSHIP, r)
    else:
        reqs = [g + i]
        s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, reqs[0])

    def leave(*_):
        opt = IP_DROP_SOURCE_MEMBERSHIP if sources else socket.IP_DROP_MEMBERSHIP
        for r in reqs:
            try:
                s.setsockopt(socket.IPPROTO_IP, opt, r)
            except OSError:
                pass
        print("LEFT", flush=True)

    signal.signal(signal.SIGUSR1, leave)
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    print("JOINED", flush=True)
    while True:
        try:
            data, (src, _) = s.recvfrom(2048)
        except InterruptedError:
            continue
        print("RX %s %s" % (src, data.decode(errors="replace")), flush=True)


def sniff(ifaddr=None):
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_IGMP)
    if ifaddr:
        for g in ("224.0.0.22", "224.0.0.2"):
            s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                         socket.inet_aton(g) + socket.inet_aton(ifaddr))
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    print("SNIFFING", flush=True)
    while True:
        pkt = s.recv(65535)
        if len(pkt) < 20:
            continue
        hl = (pkt[0] & 0x0F) * 4
        src = socket.inet_ntoa(pkt[12:16])
        dst = socket.inet_ntoa(pkt[16:20])
        m = pkt[hl:]
        if len(m) < 8:
            continue
        line = "IGMP %s %s 0x%02x" % (src, dst, m[0])
        if m[0] == 0x22:
            n = struct.unpack("!H", m[6:8])[0]
            off = 8
            for _ in range(n):
                if off + 8 > len(m):
                    break
                t, aux, ns = m[off], m[off + 1], struct.unpack("!H", m[off + 2:off + 4])[0]
                line += " %d:%s:%d" % (t, socket.inet_ntoa(m[off + 4:off + 8]), ns)
                off += 8 + 4 * ns + 4 * aux
        else:
            line += " %s" % socket.inet_ntoa(m[4:8])
        if m[0] == 0x11:
            if len(m) >= 12:
                line += " v3 qrv=%d qqic=0x%02x qqi=%d" % (
                    m[8] & 7, m[9], code_value(m[9]))
            else:
                line += " v2" if m[1] else " v1"
        print(line, flush=True)


def query(ifaddr, count, interval, version="3"):
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_IGMP)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF,
                 socket.inet_aton(ifaddr))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_OPTIONS, b"\x94\x04\x00\x00")
    s.bind((ifaddr, 0))
    if version == "2":
        body = struct.pack("!BBH4s", 0x11, 100, 0, b"\0" * 4)
    else:
        body = struct.pack("!BBH4sBBH", 0x11, 100, 0, b"\0" * 4, 2, 125, 0)
    body = body[:2] + struct.pack("!H", cksum(body)) + body[4:]
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    for k in range(int(count)):
        s.sendto(body, ("224.0.0.1", 0))
        print("QUERY %d" % (k + 1), flush=True)
        time.sleep(float(interval))


def main(argv):
    cmd = argv[1] if len(argv) > 1 else ""
    if cmd == "host" and len(argv) in (5, 6):
        host(*argv[2:])
    elif cmd == "sniff" and len(argv) in (2, 3):
        sniff(*argv[2:])
    elif cmd == "query" and len(argv) in (5, 6):
        query(*argv[2:])
    else:
        sys.stderr.write(__doc__ if __doc__ else "usage: see the header\n")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
