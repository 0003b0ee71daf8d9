#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
#
# mctool.py - tiny multicast sender/receiver for the netns tests.
#
# Runs inside a test namespace (the scripts start it with `ip netns exec`),
# so every packet stays between the test's own namespaces.
#
#   mctool.py recv GROUP PORT IFADDR          join GROUP on the interface
#       that has IFADDR; print "JOINED" once, then "RX <src> <payload>" per
#       datagram (flushed) until SIGTERM.  Several groups: GROUP,GROUP,...
#   mctool.py send GROUP PORT IFADDR COUNT [TTL] [INTERVAL_MS] [TAG]
#       send COUNT datagrams "<TAG> <seq>" from IFADDR; print "SENT <n>".
#   mctool.py burst FIRST_GROUP NGROUPS PORT IFADDR [TTL] [ROUNDS]
#       one datagram to each of NGROUPS consecutive groups, ROUNDS times;
#       print "SENT <n>".
import signal
import socket
import struct
import sys
import time


def _ip2int(a):
    return struct.unpack("!I", socket.inet_aton(a))[0]


def _int2ip(v):
    return socket.inet_ntoa(struct.pack("!I", v))


def recv(groups, port, ifaddr):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("", int(port)))
    for g in groups.split(","):
        mreq = socket.inet_aton(g) + socket.inet_aton(ifaddr)
        s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    print("JOINED", flush=True)
    while True:
        data, (src, _) = s.recvfrom(2048)
        print("RX %s %s" % (src, data.decode(errors="replace")), flush=True)


def _sender(ifaddr, ttl):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, int(ttl))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF,
                 socket.inet_aton(ifaddr))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
    s.bind((ifaddr, 0))
    return s


def send(group, port, ifaddr, count, ttl=8, interval_ms=20, tag="pkt"):
    s = _sender(ifaddr, ttl)
    n = 0
    for i in range(int(count)):
        s.sendto(("%s %d" % (tag, i)).encode(), (group, int(port)))
        n += 1
        if int(interval_ms) > 0:
            time.sleep(int(interval_ms) / 1000.0)
    print("SENT %d" % n, flush=True)


def burst(first, ngroups, port, ifaddr, ttl=8, rounds=1):
    s = _sender(ifaddr, ttl)
    base = _ip2int(first)
    n = 0
    for r in range(int(rounds)):
        for i in range(int(ngroups)):
            s.sendto(b"burst %d %d" % (r, i), (_int2ip(base + i), int(port)))
            n += 1
    print("SENT %d" % n, flush=True)


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__ or "usage: mctool.py recv|send|burst ...\n")
        return 1
    cmd, args = argv[1], argv[2:]
    if cmd == "recv":
        recv(*args)
    elif cmd == "send":
        send(*args)
    elif cmd == "burst":
        burst(*args)
    else:
        sys.stderr.write("unknown command %s\n" % cmd)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
