#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
#
# make_corpus.py [DIR] - write the seed corpus of the parser fuzz targets
# (default: corpus/ next to this script), one directory per target, from
# byte fixtures built here after the documented layouts: kernel upcalls
# and IGMP packets as the router socket delivers them, rtnetlink messages
# (linux/netlink.h, linux/rtnetlink.h), BSD routing-socket messages for
# the FreeBSD, NetBSD and OpenBSD layouts (read from
# tests/bsd/doc_layouts.h, so the numbers are the ones the unit tests
# prove), IGMP messages (RFC 2236, RFC 3376), mgmd configuration files
# (the shipped ones and one per error kind), control-protocol sessions and
# mgmd replies.  Each file's name says what it is.  Deterministic: run it
# again and nothing changes.
#
# The input encodings are the targets' (see the comment at the top of
# each fuzz_*.c): fuzz_rtnetlink and fuzz_igmp_pkt take a byte 0 before
# the message (round-trip seed / flags), fuzz_rtmsg a layout byte,
# fuzz_igmp_input a configuration byte and packet records.
import os
import re
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))


def ip(s):
    return bytes(int(x) for x in s.split("."))


def cksum(b):
    if len(b) % 2:
        b = b + b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ipv4(src, dst, payload, ttl=1, ra=True, proto=2, frag=0):
    opt = b"\x94\x04\x00\x00" if ra else b""
    ihl = (20 + len(opt)) // 4
    tot = 20 + len(opt) + len(payload)
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0xC0, tot, 0, frag, ttl,
                    proto, 0, ip(src), ip(dst)) + opt
    h = h[:10] + struct.pack("!H", cksum(h)) + h[12:]
    return h + payload


# ---- IGMP messages (no IP header) -------------------------------------------

def igmp_v12(typ, group, code=0):
    m = struct.pack("!BBH4s", typ, code, 0, ip(group))
    return m[:2] + struct.pack("!H", cksum(m)) + m[4:]


def igmp_v3_query(group, srcs=(), code=100, s=0, qrv=2, qqic=125):
    m = struct.pack("!BBH4sBBH", 0x11, code, 0, ip(group),
                    (0x08 if s else 0) | qrv, qqic, len(srcs))
    m += b"".join(ip(x) for x in srcs)
    return m[:2] + struct.pack("!H", cksum(m)) + m[4:]


def igmp_v3_report(records):
    body = b""
    for rtype, group, srcs, aux in records:
        body += struct.pack("!BBH4s", rtype, len(aux) // 4, len(srcs),
                            ip(group))
        body += b"".join(ip(x) for x in srcs) + aux
    m = struct.pack("!BBHHH", 0x22, 0, 0, 0, len(records)) + body
    return m[:2] + struct.pack("!H", cksum(m)) + m[4:]


# ---- upcalls -----------------------------------------------------------------

def upcall(msgtype, vif, src, grp, extra=b""):
    """struct igmpmsg over the IP header copy the kernel queues."""
    b = bytearray(20)
    b[0] = 0x45
    b[8] = msgtype
    b[9] = 0  # im_mbz: the IP protocol byte, zeroed
    b[10] = vif & 0xFF
    b[11] = vif >> 8  # Linux im_vif_hi; BSD: IP checksum byte
    b[12:16] = ip(src)
    b[16:20] = ip(grp)
    b += extra
    b[2:4] = struct.pack("!H", len(b))
    return bytes(b)


def corpus_upcall():
    inner = ipv4("10.1.0.5", "239.1.1.1", b"data" * 4, ttl=16, ra=False,
                 proto=17)
    return {
        "nocache": upcall(1, 3, "10.1.0.5", "239.1.1.1", b"\0" * 8),
        "wrongvif": upcall(2, 1, "10.9.0.7", "232.1.2.3", b"\0" * 8),
        "wholepkt": upcall(3, 0, "10.1.0.5", "239.1.1.1", inner),
        "wrvifwhole": upcall(4, 2, "10.1.0.5", "239.1.1.1", inner),
        "vif-hi": upcall(1, 300, "10.1.0.5", "239.1.1.1"),
        "bad-type-0": upcall(0, 1, "10.1.0.5", "239.1.1.1"),
        "bad-type-9": upcall(9, 1, "10.1.0.5", "239.1.1.1"),
        "short-19": upcall(1, 1, "10.1.0.5", "239.1.1.1")[:19],
        "igmp-v2-report-ra": ipv4("10.2.0.2", "239.1.1.1",
                                  igmp_v12(0x16, "239.1.1.1")),
        "igmp-v3-report": ipv4("10.2.0.2", "224.0.0.22", igmp_v3_report(
            [(4, "239.1.1.1", [], b""), (5, "232.1.1.1", ["10.1.0.5"], b"")]),
            ra=False),
        "igmp-total-beyond-capture": ipv4(
            "10.2.0.2", "239.1.1.1", igmp_v12(0x16, "239.1.1.1"))[:28],
        "not-igmp-udp": inner,
    }


# ---- rtnetlink ----------------------------------------------------------------

NLMSG_ERROR, NLMSG_DONE = 2, 3
RTM_NEWLINK, RTM_DELLINK, RTM_NEWADDR, RTM_DELADDR = 16, 17, 20, 21
RTM_NEWROUTE, RTM_DELROUTE = 24, 25
NLM_F_MULTI = 2


def align4(b):
    return b + b"\0" * (-len(b) % 4)


def rta(typ, data):
    return align4(struct.pack("=HH", 4 + len(data), typ) + data)


def nlmsg(typ, body, flags=0, seq=7, pid=0):
    return align4(struct.pack("=IHHII", 16 + len(body), typ, flags, seq, pid)
                  + body)


def link(typ, ifindex, name, flags=0x1043, extra=b""):
    body = struct.pack("=BBHiII", 0, 0, 1, ifindex, flags, 0)
    body += rta(3, name.encode() + b"\0")  # IFLA_IFNAME
    body += rta(4, struct.pack("=I", 1500))  # IFLA_MTU
    return nlmsg(typ, body + extra)


def addr(typ, ifindex, a, plen, family=2, local=True):
    body = struct.pack("=BBBBI", family, plen, 0, 0, ifindex)
    if family == 2:
        if local:
            body += rta(2, ip(a))  # IFA_LOCAL
        body += rta(1, ip(a))  # IFA_ADDRESS
    else:
        body += rta(1, b"\xfe\x80" + b"\0" * 13 + b"\x01")
    return nlmsg(typ, body)


def route(dst, dst_len, oif=None, gw=None, table=None, multipath=None,
          family=2, rtype=1, proto=4):
    body = struct.pack("=BBBBBBBBI", family, dst_len, 0, 0, 254, proto, 0,
                       rtype, 0)
    if dst is not None:
        body += rta(1, ip(dst))  # RTA_DST
    if oif is not None:
        body += rta(4, struct.pack("=I", oif))  # RTA_OIF
    if gw is not None:
        body += rta(5, ip(gw))  # RTA_GATEWAY
    if table is not None:
        body += rta(15, struct.pack("=I", table))  # RTA_TABLE
    if multipath is not None:
        hops = b""
        for hop_oif, hop_gw in multipath:
            attrs = rta(5, ip(hop_gw)) if hop_gw else b""
            hops += struct.pack("=HBBi", 8 + len(attrs), 0, 0, hop_oif) + attrs
        body += rta(9, hops)  # RTA_MULTIPATH
    return nlmsg(RTM_NEWROUTE, body)


def nlerr(errno_neg, orig=b""):
    return nlmsg(NLMSG_ERROR, struct.pack("=i", errno_neg) + orig)


def corpus_rtnetlink():
    seed = b"\x00"
    c = {
        "newlink": link(RTM_NEWLINK, 2, "eth0"),
        "dellink": link(RTM_DELLINK, 5, "veth9", flags=0),
        "newlink-nested-flag": link(RTM_NEWLINK, 3, "br0", extra=rta(
            0x8000 | 18, rta(1, b"bridge\0"))),
        "newaddr": addr(RTM_NEWADDR, 2, "10.1.0.254", 16),
        "deladdr-address-only": addr(RTM_DELADDR, 2, "10.2.0.1", 24,
                                     local=False),
        "newaddr-inet6": addr(RTM_NEWADDR, 2, "0.0.0.0", 64, family=10),
        "route-via-gateway": route("10.9.0.0", 16, oif=2, gw="10.1.0.1",
                                   table=254),
        "route-default": route(None, 0, oif=3, gw="192.168.0.1"),
        "route-multipath": route("10.8.0.0", 16, multipath=[
            (4, "10.4.0.1"), (5, "10.5.0.1")]),
        "route-inet6": route(None, 0, oif=2, family=10),
        "error-enetunreach": nlerr(-101, nlmsg(26, b"\0" * 12)),
        "ack": nlerr(0),
        "done": nlmsg(NLMSG_DONE, struct.pack("=i", 0), NLM_F_MULTI),
        "dump-links": (link(RTM_NEWLINK, 1, "lo", flags=0x49) +
                       link(RTM_NEWLINK, 2, "eth0") +
                       nlmsg(NLMSG_DONE, struct.pack("=i", 0), NLM_F_MULTI)),
        "truncated-attr": link(RTM_NEWLINK, 2, "eth0")[:-6],
    }
    return {k: seed + v for k, v in c.items()}


# ---- BSD routing socket ---------------------------------------------------------

def bsd_layouts():
    """{os: {field: value}} from the X(field, value, native) rows of
    tests/bsd/doc_layouts.h."""
    text = open(os.path.join(ROOT, "tests", "bsd", "doc_layouts.h")).read()
    out = {}
    for os_name in ("FREEBSD", "NETBSD", "OPENBSD"):
        m = re.search(r"#define DOC_RTM_%s\(X\)(.*?)\n\n" % os_name, text,
                      re.S)
        lay = {}
        for field, val in re.findall(r"X\(([\w.]+),\s*([^,]+),", m.group(1)):
            val = val.strip()
            lay[field] = 0xFFFF if val == "DOC_N" else int(val, 0)
        out[os_name.lower()] = lay
    return out


class Bsd:
    def __init__(self, lay, name):
        self.l = lay
        self.name = name

    def sin(self, a, length=None):
        n = self.l["sin_size"] if length is None else length
        b = bytearray(max(n, 8))
        b[0] = n
        b[1] = self.l["af_inet"]
        off = self.l["sin_off_addr"]
        b[off:off + 4] = ip(a)
        return bytes(b[:n])

    def sdl(self, index, name):
        d = self.l["sdl_off_data"]
        n = d + len(name)
        b = bytearray(max(n, 20))
        b[0] = len(b)
        b[1] = self.l["af_link"]
        struct.pack_into("=H", b, self.l["sdl_off_index"], index)
        b[self.l["sdl_off_nlen"]] = len(name)
        b[d:d + len(name)] = name.encode()
        return bytes(b)

    def pad(self, sa):
        a = self.l["sa_align"]
        if len(sa) == 0:
            return b"\0" * self.l["sa_zero"]
        return sa + b"\0" * (-len(sa) % a)

    def msg(self, hdr, mtype, fields, sas=(), addrs=0):
        """fields: {name: (value, width)} at hdr.off_name."""
        size = self.l[hdr + ".size"]
        b = bytearray(size)
        b[2] = self.l["version"]
        b[3] = mtype
        for f, (val, width) in fields.items():
            off = self.l.get(hdr + ".off_" + f, 0xFFFF)
            if off == 0xFFFF:
                continue
            if width == 1:
                b[off] = val & 0xFF
            elif width == 2:
                struct.pack_into("=H", b, off, val & 0xFFFF)
            elif width == 4:
                struct.pack_into("=i", b, off, val)
            else:
                b[off:off + len(val)] = val
        if self.l.get(hdr + ".off_hdrlen", 0xFFFF) != 0xFFFF:
            struct.pack_into("=H", b, self.l[hdr + ".off_hdrlen"], size)
        if self.l.get(hdr + ".off_addrs", 0xFFFF) != 0xFFFF:
            struct.pack_into("=i", b, self.l[hdr + ".off_addrs"], addrs)
        body = b"".join(self.pad(s) for s in sas)
        out = bytes(b) + body
        return struct.pack("=H", len(out)) + out[2:]

    def ifinfo(self, index, flags, link_state=4, sdl=None):
        ls = self.l["ifm.link_state_size"]
        return self.msg("ifm", self.l["t_ifinfo"],
                        {"index": (index, 2), "flags": (flags, 4),
                         "link_state": (link_state, ls)},
                        [sdl] if sdl else [], 0x10 if sdl else 0)

    def ifannounce(self, index, name, departure):
        return self.msg("ifan", self.l["t_ifannounce"],
                        {"index": (index, 2),
                         "what": (self.l["ifan_departure"] if departure
                                  else self.l["ifan_arrival"], 2),
                         "name": (name.encode().ljust(16, b"\0"), 16)})

    def ifa(self, mtype, index, a, mask, brd=None):
        sas = [self.sin(mask, length=8 if mask != "0.0.0.0" else 0),
               self.sdl(index, ""), self.sin(a)]
        addrs = 0x4 | 0x10 | 0x20
        if brd:
            sas.append(self.sin(brd))
            addrs |= 0x80
        return self.msg("ifam", mtype, {"index": (index, 2),
                                        "flags": (0, 4)}, sas, addrs)

    def rt(self, mtype, dst, gw, mask, ifp=None, pid=1234, seq=77,
           flags=0x803, err=0):
        sas = [self.sin(dst), gw, self.sin(mask, length=8)]
        addrs = 0x1 | 0x2 | 0x4
        if ifp:
            sas.append(self.sdl(*ifp))
            addrs |= 0x10
        return self.msg("rtm", mtype, {"index": (ifp[0] if ifp else 0, 2),
                                       "flags": (flags, 4), "pid": (pid, 4),
                                       "seq": (seq, 4), "errno": (err, 4)},
                        sas, addrs)


def corpus_rtmsg():
    out = {}
    for i, (name, lay) in enumerate(sorted(bsd_layouts().items(),
                                           key=lambda x: x[0])):
        sel = {"freebsd": 0, "netbsd": 1, "openbsd": 2}[name]
        b = Bsd(lay, name)
        up = lay["iff_up"] | lay["iff_running"] | lay["iff_multicast"]
        msgs = {
            "ifinfo": b.ifinfo(2, up),
            "ifinfo-down-loopback": b.ifinfo(1, lay["iff_loopback"], 2),
            "ifinfo-sysctl-named": b.ifinfo(3, up, sdl=b.sdl(3, "em1")),
            "ifannounce-arrival": b.ifannounce(7, "tun0", False),
            "ifannounce-departure": b.ifannounce(7, "tun0", True),
            "newaddr": b.ifa(lay["t_newaddr"], 2, "10.1.0.254",
                             "255.255.0.0", brd="10.1.255.255"),
            "deladdr": b.ifa(lay["t_deladdr"], 2, "10.2.0.1", "0.0.0.0"),
            "rtm-get-reply-gateway": b.rt(lay["t_get"], "10.9.0.0",
                                          b.sin("10.1.0.1"), "255.255.0.0",
                                          ifp=(2, "em0")),
            "rtm-get-reply-connected": b.rt(lay["t_get"], "10.2.0.0",
                                            b.sdl(3, "em1"),
                                            "255.255.255.0", ifp=(3, "em1"),
                                            flags=0x801),
            "rtm-delete": b.rt(lay["t_delete"], "10.8.0.0",
                               b.sin("10.1.0.1"), "255.255.0.0"),
            "rtm-get-error": b.rt(lay["t_get"], "192.0.2.1",
                                  b.sin("0.0.0.0"), "255.255.255.255",
                                  err=3),
        }
        if lay["t_desync"]:
            msgs["desync"] = b.msg("rtm", lay["t_desync"], {})
        msgs["iflist-dump"] = (msgs["ifinfo-sysctl-named"] + msgs["newaddr"] +
                               b.ifinfo(4, up, sdl=b.sdl(4, "lo0")))
        msgs["wrong-version"] = msgs["ifinfo"][:2] + bytes(
            [lay["version"] + 1]) + msgs["ifinfo"][3:]
        msgs["truncated"] = msgs["newaddr"][:-5]
        for k, v in msgs.items():
            out["%s-%s" % (name, k)] = bytes([sel]) + v
    return out


# ---- IGMP packets ------------------------------------------------------------------

def corpus_igmp_pkt():
    FIX, TTL1 = 1, 2
    h, g = "10.2.0.2", "239.1.1.1"
    c = {
        "v1-query": (TTL1, ipv4("10.2.0.1", "224.0.0.1",
                                igmp_v12(0x11, "0.0.0.0"))),
        "v2-query-group": (TTL1, ipv4("10.2.0.1", g,
                                      igmp_v12(0x11, g, code=10))),
        "v3-query-sources": (TTL1, ipv4("10.2.0.1", g, igmp_v3_query(
            g, ["10.1.0.5", "10.1.0.6"], s=1))),
        "v3-query-9-bytes": (0, ipv4("10.2.0.1", "224.0.0.1",
                                     igmp_v12(0x11, "0.0.0.0") + b"\0")),
        "v1-report": (0, ipv4(h, g, igmp_v12(0x12, g), ra=False)),
        "v2-report": (TTL1, ipv4(h, g, igmp_v12(0x16, g))),
        "v2-leave": (TTL1, ipv4(h, "224.0.0.2", igmp_v12(0x17, g))),
        "v3-report-records": (TTL1, ipv4(h, "224.0.0.22", igmp_v3_report([
            (1, g, ["10.1.0.5"], b""), (2, "239.2.2.2", [], b"\0" * 8),
            (5, "232.1.1.1", ["10.1.0.5", "10.1.0.6"], b""),
            (6, "232.1.1.1", ["10.1.0.7"], b"")]))),
        "v3-report-nrec-beyond": (FIX, ipv4(h, "224.0.0.22", igmp_v3_report(
            [(4, g, [], b"")])[:6] + b"\x00\x05" + igmp_v3_report(
                [(4, g, [], b"")])[8:])),
        "bad-checksum-fixed-by-flag": (FIX, ipv4(h, g, b"\x16\0\xde\xad" +
                                                ip(g))),
        "fragment": (0, ipv4(h, g, igmp_v12(0x16, g), frag=0x2000)),
        "ttl-2": (TTL1, ipv4(h, g, igmp_v12(0x16, g), ttl=2)),
        "dvmrp": (0, ipv4(h, "224.0.0.4", igmp_v12(0x13, "0.0.0.0"))),
        "short": (0, ipv4(h, g, igmp_v12(0x16, g))[:22]),
    }
    return {k: bytes([f]) + p for k, (f, p) in c.items()}


def rec(ifx, msg, mode=2, wait=0, to22=False, host=0):
    fl = (ifx & 7) | mode << 3 | (host & 3) << 5 | (0x80 if to22 else 0)
    return bytes([fl, wait]) + struct.pack("<H", len(msg)) + msg


def corpus_igmp_input():
    g, g2, ssm = "239.1.1.1", "239.2.2.2", "232.1.1.1"
    # config bits: 1 v2, 2 proxy, 4 ttl1, 8 forward upstream, 16 tight
    c = {
        "router-v3-join-leave": (0x24, [
            rec(2, igmp_v12(0x16, g)),
            rec(3, igmp_v3_report([(4, g2, [], b"")]), to22=True, wait=20),
            rec(2, igmp_v3_report([(5, ssm, ["10.1.0.5", "10.1.0.6"], b"")]),
                to22=True),
            rec(2, igmp_v3_report([(6, ssm, ["10.1.0.5"], b"")]), to22=True,
                wait=40),
            rec(3, igmp_v12(0x17, g2), wait=100),
        ]),
        "router-v2-querier-election": (0x25, [
            rec(2, igmp_v12(0x11, "0.0.0.0", code=100), host=0),
            rec(2, igmp_v12(0x16, g), host=1, wait=10),
            rec(2, igmp_v12(0x17, g), host=1, wait=200),
            rec(4, igmp_v12(0x12, g), host=2),
        ]),
        "router-v3-own-query": (0x04, [
            rec(3, igmp_v3_query("0.0.0.0"), mode=3),
            rec(3, igmp_v3_query(g, ["10.1.0.5"]), mode=2, host=1),
            rec(3, igmp_v3_report([(2, g, ["10.1.0.9"], b"")]), to22=True),
            rec(3, igmp_v3_report([(3, g, [], b"")]), to22=True, wait=50),
        ]),
        "proxy-v3": (0x0e, [
            rec(2, igmp_v3_report([(4, g, [], b""), (1, ssm, ["10.9.0.7"],
                                                       b"")]), to22=True),
            rec(1, igmp_v3_query("0.0.0.0"), host=1, wait=30),
            rec(3, igmp_v12(0x16, g2)),
            rec(1, igmp_v12(0x16, g2), host=2),
            rec(2, igmp_v3_report([(3, g, [], b"")]), to22=True, wait=120),
        ]),
        "proxy-v2-limits": (0x17 | 0x20, [
            rec(2, igmp_v12(0x16, "239.0.0.%d" % k), host=k % 4)
            for k in range(1, 8)
        ] + [rec(1, igmp_v12(0x11, "0.0.0.0", code=100), host=1, wait=60)]),
        "raw-packets": (0x04, [
            rec(2, ipv4("10.0.2.3", g, igmp_v12(0x16, g)), mode=0),
            rec(2, ipv4("10.0.2.3", g, b"\x16\0\0\0" + ip(g)), mode=1),
            rec(6, ipv4("10.0.2.3", g, igmp_v12(0x16, g)), mode=0),
        ]),
    }
    return {k: bytes([conf]) + b"".join(recs)
            for k, (conf, recs) in c.items()}


# ---- mgmd ----------------------------------------------------------------------------

def builtin_conf():
    src = open(os.path.join(ROOT, "tools", "mgmd", "conf.c")).read()
    m = re.search(r"const char mgmd_conf_builtin\[\] =(.*?);", src, re.S)
    return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1))) \
        .encode().decode("unicode_escape").encode()


def corpus_mgmd_conf():
    c = {
        "builtin": builtin_conf(),
        "demo": open(os.path.join(ROOT, "examples", "mgmd-demo.conf"),
                     "rb").read(),
        "example": open(os.path.join(ROOT, "examples", "mgmd.conf"),
                        "rb").read(),
        "bad-version": open(os.path.join(ROOT, "tools", "mgmd", "tests",
                                         "bad.conf"), "rb").read(),
        "everything": b"""# every statement
backend sim
table 0x10
mfe-lifetime 300
strict on
wrongif-alerts yes
libmgm-log warn,+cb
log-level debug
socket /tmp/mgmd.sock
socket-group mgmd
pidfile /tmp/mgmd.pid
[sim]
interface up0 1 10.1.0.254/16
interface lan2 2 10.2.0.254/24 down
route 10.1.0.0/16 up0
route 0.0.0.0/0 up0 via 10.1.0.1 protocol 13
[igmp]
version 2
robustness 3
query-interval 60
query-response-interval 5000
last-member-query-interval 500
last-member-query-count 2
startup-query-interval 15000
startup-query-count 3
proxy-forward-upstream off
require-ttl1 false
interface up0 upstream
interface lan2 downstream
[protocol static]
plugin ./static_proto.so
protocol-id 0x7fff0001
interface up0   # a comment
join lan2 239.1.1.1 10.1.0.5

rpf 10.9.0.0/16 up0
""",
        "crlf": b"backend sim\r\n[sim]\r\ninterface a 1 10.0.0.1/8\r\n"
                b"[igmp]\r\ninterface *\r\n",
        "err-unknown-section": b"[sim]\n[bogus]\n",
        "err-second-upstream": b"[igmp]\ninterface a upstream\n"
                               b"interface b upstream\n",
        "err-response-vs-interval": b"[igmp]\nquery-interval 5\n"
                                    b"query-response-interval 6000\n",
        "err-protocol-without-plugin": b"[protocol p]\nfoo bar\n[sim]\n",
        "err-host-bits": b"[sim]\nroute 10.1.0.1/16 x\n",
        "err-nul": b"backend sim\n\0\n",
        "err-long-line": b"libmgm-log " + b"x" * 1100 + b"\n",
        "err-too-many-words": b"backend" + b" w" * 20 + b"\n",
        "err-duplicate-index": b"[sim]\ninterface a 1 10.0.0.1/8\n"
                               b"interface b 1 10.0.0.2/8\n",
    }
    return c


CTL_SESSION = b"""ping
version
help
show status
show protocols
show interfaces
sim igmp join lan2 239.1.1.1
sim igmp join lan3 239.1.1.1 version 3 exclude 10.1.0.9
sim igmp join lan2 232.1.1.1 version 3 include 10.1.0.5,10.1.0.6
sim inject up0 10.1.0.5 239.1.1.1 ttl 8 len 200 count 3
sim inject up0 10.1.0.5 232.1.1.1
show groups
show mfe
show mfe stats
show igmp
sim advance 30s
sim link lan3 down
sim inject up0 10.1.0.5 239.1.1.1
sim link lan3 up
sim igmp leave lan2 239.1.1.1 from 10.2.0.9
sim advance 2500ms
show log since 3
reload
show interfaces
"""


def corpus_mgmd_ctl():
    return {
        "session": CTL_SESSION,
        "proxy-session": b"proxy\n" + CTL_SESSION,
        "garbage": b"\n  \t \nfrobnicate\nshow\nshow everything\n"
                   b"show mfe stats extra\nshow log since x\nping pong\n"
                   b"reload now\nsim\nsim inject\nsim igmp join lan2\n"
                   b"sim igmp join nope 239.1.1.1\nsim igmp leave lan2 "
                   b"239.1.1.1 version 1\nsim igmp join lan2 10.0.0.1\n"
                   b"sim igmp join lan2 239.1.1.1 sources 1.2.3.4,x\n"
                   b"sim advance 8d\nsim advance 5parsecs\nsim link lan2 "
                   b"sideways\nsim inject up0 10.1.0.5 239.1.1.1 ttl 0\n"
                   b"\x01\x02\xff\n" + b"w " * 40 + b"\n",
        "nul-line": b"ping\nshow\0protocols\nversion\n",
        "long-line": b"show " + b"x" * 5000 + b"\nping\n",
        "advance-long": b"sim igmp join lan2 239.1.1.1\nsim advance 7h\n"
                        b"show igmp\n",
    }


def corpus_ctl_reply():
    return {
        "pong": b'{"mgmd":1,"ok":true,"result":{"pong":true}}\n',
        "error": b'{"mgmd":1,"ok":false,"error":"unknown request '
                 b'\'x\' (try: help)"}\n',
        "mfe": b'{"mgmd":1,"ok":true,"result":{"backend":"sim","now_ms":1000,'
               b'"mfes":[{"group":"239.1.1.1","source":"10.1.0.5",'
               b'"source_mask":"255.255.255.255","upstream":"0.0.0.0",'
               b'"in":{"ifindex":1,"name":"up0"},"out":[{"ifindex":2,'
               b'"name":"lan2","nexthop":"0.0.0.0"}],"uptime_s":5,'
               b'"expiry_s":895,"stats":{"in_packets":3,"in_octets":600}}]}}\n',
        "interfaces": b'{"mgmd":1,"ok":true,"result":{"interfaces":[{'
                      b'"ifindex":2,"name":"lan2","nexthop":"0.0.0.0",'
                      b'"owner":{"protocol":10,"component":1,"name":"igmp"},'
                      b'"igmp":{"querier":true,"groups":1}}]}}\n',
        "events": b'{"mgmd":1,"ok":true,"result":{"advanced_ms":30000,'
                  b'"now_ms":31000,"events":[{"seq":4,"time_ms":31000,'
                  b'"level":"info","source":"sim","message":"clock \\u00e9 '
                  b'\\ud83d\\ude00\\n\\"x\\""}]}}\n',
        "numbers": b'[0,-0,1.5,-2.5e-3,1e308,123456789012345678901234,'
                   b'9223372036854775807,-9223372036854775808,1E+2]',
        "nested": b'{"a":[[[[{"b":null,"c":false}]]]],"":""}',
    }


TARGETS = {
    "upcall": corpus_upcall,
    "rtnetlink": corpus_rtnetlink,
    "rtmsg": corpus_rtmsg,
    "igmp_pkt": corpus_igmp_pkt,
    "igmp_input": corpus_igmp_input,
    "mgmd_conf": corpus_mgmd_conf,
    "mgmd_ctl": corpus_mgmd_ctl,
    "ctl_reply": corpus_ctl_reply,
}


def main():
    top = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "corpus")
    for target, fn in TARGETS.items():
        d = os.path.join(top, target)
        os.makedirs(d, exist_ok=True)
        files = fn()
        for name, data in sorted(files.items()):
            if isinstance(data, str):
                data = data.encode()
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)
        print("%s: %d files" % (target, len(files)))


if __name__ == "__main__":
    main()
